package dev.convnet.train;

import dev.convnet.data.ImageSet;
import dev.convnet.model.ConvNet;
import java.util.Arrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;

/**
 * The first convolution's filters started as the whitening of the training images' patches, in
 * place of In [7]'s random weights: the initialisation of the fastest CIFAR-10 training runs
 * (airbench, hlb-CIFAR10). The second moments of every k x k patch of the first images give a k*k x
 * k*k matrix; its leading eigenvectors, each divided by the square root of its eigenvalue, make
 * filters whose responses are uncorrelated and of one size, and each comes with its negative, so
 * that the ReLU after the layer passes both signs. Training then moves the filters as any others:
 * only the start differs, and a short run starts with edges and blobs instead of noise.
 */
public final class PatchWhitening {
  /** The images whose patches are measured: the first of the training set. */
  static final int SAMPLE_IMAGES = 2_000;

  /** Added to each eigenvalue: keeps the flattest directions from being blown up (airbench's). */
  static final double EPSILON = 5e-4;

  /**
   * Responses of a tenth of unit size: near In [7]'s random filters' (stddev 0.05 over 25 pixels),
   * so that the layers after see the scale they start with (docs/recipes.md, the third round).
   */
  static final double SCALE = 0.1;

  private PatchWhitening() {}

  /**
   * The filters, {@code [size, size, 1, count]} flattened as TensorFlow lays them out: filter
   * {@code f} is eigenvector {@code f mod ceil(count / 2)} in order of eigenvalue, its sign
   * negative for the second half.
   */
  public static float[] filters(ImageSet train, int size, int count) {
    int taps = size * size;
    double[][] moments = patchMoments(train, size);
    double[][] vectors = new double[taps][taps];
    double[] values = eigen(moments, vectors);
    Integer[] order = new Integer[taps];
    for (int i = 0; i < taps; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    int pairs = (count + 1) / 2;
    float[] out = new float[taps * count];
    for (int f = 0; f < count; f++) {
      int e = order[(f % pairs) % taps];
      double scale = (f < pairs ? 1 : -1) * SCALE / Math.sqrt(Math.max(values[e], 0) + EPSILON);
      for (int t = 0; t < taps; t++) {
        out[t * count + f] = (float) (vectors[t][e] * scale);
      }
    }
    return out;
  }

  /** Sets {@code net}'s first filters to {@link #filters} of {@code train}. */
  static void apply(ConvNet net, ImageSet train) {
    long[] shape = net.weightsConv1.shape().asArray();
    if (shape[2] != 1) {
      throw new IllegalArgumentException("whitening takes grey images: one input channel");
    }
    float[] values = filters(train, (int) shape[0], (int) shape[3]);
    Ops tf = Ops.create(net.graph);
    var assign = tf.assign(net.weightsConv1, tf.constant(Shape.of(shape), DataBuffers.of(values)));
    net.session.runner().addTarget(assign).run();
  }

  /** The mean of {@code p p^T} over every SAME-padded patch {@code p} of the first images. */
  static double[][] patchMoments(ImageSet train, int size) {
    int taps = size * size;
    int side = train.imageSize();
    int half = size / 2;
    double[][] sum = new double[taps][taps];
    double[] patch = new double[taps];
    int images = Math.min(SAMPLE_IMAGES, train.size());
    for (int i = 0; i < images; i++) {
      float[] image = train.image(i);
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          for (int dy = 0; dy < size; dy++) {
            for (int dx = 0; dx < size; dx++) {
              int yy = y + dy - half;
              int xx = x + dx - half;
              boolean inside = yy >= 0 && xx >= 0 && yy < side && xx < side;
              patch[dy * size + dx] = inside ? image[yy * side + xx] : 0;
            }
          }
          for (int a = 0; a < taps; a++) {
            if (patch[a] != 0) {
              for (int b = 0; b < taps; b++) {
                sum[a][b] += patch[a] * patch[b];
              }
            }
          }
        }
      }
    }
    double count = (double) images * side * side;
    for (double[] row : sum) {
      for (int b = 0; b < taps; b++) {
        row[b] /= count;
      }
    }
    return sum;
  }

  /**
   * The eigenvalues of the symmetric {@code matrix} (which it overwrites), and the eigenvectors as
   * the columns of {@code vectors}, by Jacobi rotations: a few sweeps for 25 x 25.
   */
  static double[] eigen(double[][] matrix, double[][] vectors) {
    int n = matrix.length;
    double[][] a = matrix;
    for (int i = 0; i < n; i++) {
      Arrays.fill(vectors[i], 0);
      vectors[i][i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double all = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          all += a[i][j] * a[i][j];
          off += i != j ? a[i][j] * a[i][j] : 0;
        }
      }
      if (off <= 1e-24 * all) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = theta == 0 ? 1 : Math.signum(theta) / (Math.abs(theta) + Math.hypot(theta, 1));
          double c = 1 / Math.hypot(t, 1);
          double s = t * c;
          rotate(a, vectors, p, q, c, s);
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = a[i][i];
    }
    return values;
  }

  /** {@code a = J^T a J} and {@code v = v J} for the rotation J of rows and columns p and q. */
  private static void rotate(double[][] a, double[][] v, int p, int q, double c, double s) {
    int n = a.length;
    for (int k = 0; k < n; k++) {
      double kp = a[k][p];
      double kq = a[k][q];
      a[k][p] = c * kp - s * kq;
      a[k][q] = s * kp + c * kq;
    }
    for (int k = 0; k < n; k++) {
      double pk = a[p][k];
      double qk = a[q][k];
      a[p][k] = c * pk - s * qk;
      a[q][k] = s * pk + c * qk;
    }
    for (int k = 0; k < n; k++) {
      double kp = v[k][p];
      double kq = v[k][q];
      v[k][p] = c * kp - s * kq;
      v[k][q] = s * kp + c * kq;
    }
  }
}
