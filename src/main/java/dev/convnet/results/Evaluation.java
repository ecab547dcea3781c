package dev.convnet.results;

import dev.convnet.data.ImageSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The predicted class of every image of a set next to its true class (what the notebook's {@code
 * print_test_accuracy} computes as {@code cls_pred} and {@code correct}).
 *
 * @param classNames the set's classes, the label being the index
 */
public record Evaluation(int[] predicted, int[] trueClasses, List<String> classNames) {
  /** In [42] {@code test_batch_size}: a whole set is classified in batches of this size. */
  public static final int TEST_BATCH_SIZE = 256;

  /** Anything that classifies a batch of {@code n} images given as 784 floats each. */
  @FunctionalInterface
  public interface BatchClassifier {
    long[] classes(float[] images, int n);
  }

  /** Classifies every image of {@code set} in batches of {@code batchSize}. */
  public static Evaluation classify(ImageSet set, int batchSize, BatchClassifier classifier) {
    long[] predicted = new long[set.size()];
    float[] images = new float[batchSize * set.pixelsPerImage()];
    for (int i = 0; i < set.size(); i += batchSize) {
      int j = Math.min(i + batchSize, set.size());
      for (int k = i; k < j; k++) {
        set.copyImage(k, images, (k - i) * set.pixelsPerImage());
      }
      System.arraycopy(classifier.classes(images, j - i), 0, predicted, i, j - i);
    }
    return of(set, predicted);
  }

  public static Evaluation of(ImageSet set, long[] predictedClasses) {
    int[] predicted = new int[set.size()];
    int[] truth = new int[set.size()];
    for (int i = 0; i < predicted.length; i++) {
      predicted[i] = (int) predictedClasses[i];
      truth[i] = set.label(i);
    }
    return new Evaluation(predicted, truth, set.classNames());
  }

  public int total() {
    return predicted.length;
  }

  public int correct() {
    int sum = 0;
    for (int i = 0; i < predicted.length; i++) {
      sum += predicted[i] == trueClasses[i] ? 1 : 0;
    }
    return sum;
  }

  public double accuracy() {
    return total() == 0 ? 0 : (double) correct() / total();
  }

  /** Indices of the misclassified images, in order (the notebook's {@code incorrect}). */
  public List<Integer> incorrect() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] != trueClasses[i]) {
        out.add(i);
      }
    }
    return out;
  }

  /** {@code matrix[true][predicted]}: counts, as sklearn's confusion_matrix (In [41]). */
  public int[][] confusionMatrix() {
    int[][] cm = new int[classNames.size()][classNames.size()];
    for (int i = 0; i < predicted.length; i++) {
      cm[trueClasses[i]][predicted[i]]++;
    }
    return cm;
  }

  /** "Accuracy on Test-Set: 90.6% (9060 / 10000)", the notebook's line for the named set. */
  public String accuracyLine(String setName) {
    return String.format(
        "Accuracy on %s: %s (%d / %d)", setName, Formats.percent(accuracy()), correct(), total());
  }

  /** The matrix as numpy prints it, each row followed by its class number and name. */
  public String confusionMatrixText() {
    int[][] cm = confusionMatrix();
    int width = 1;
    for (int[] row : cm) {
      for (int v : row) {
        width = Math.max(width, Integer.toString(v).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < cm.length; r++) {
      sb.append(r == 0 ? "[[" : " [");
      for (int c = 0; c < cm[r].length; c++) {
        sb.append(String.format("%" + width + "d", cm[r][c]));
        if (c < cm[r].length - 1) {
          sb.append(' ');
        }
      }
      sb.append(r == cm.length - 1 ? "]]" : "] ");
      sb.append(String.format(" (%d) %s%n", r, classNames.get(r)));
    }
    return sb.toString();
  }
}
