package dev.convnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.testing.Rounding;
import dev.convnet.testing.SyntheticData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The notebook's helpers on tiny inputs, each checked against the same arithmetic in plain Java.
 */
class LayersTest {
  private static final float TOLERANCE = 1e-5f;

  /** Runs {@code output} after initializing, with nothing fed; returns its values and shape. */
  private static float[] run(Graph graph, Operand<TFloat32> output) {
    try (Session session = new Session(graph)) {
      session.initialize();
      try (Result result = session.runner().fetch(output).run()) {
        TFloat32 t = (TFloat32) result.get(0);
        float[] out = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  private static Operand<TFloat32> constant(Ops tf, float[] values, long... shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(values));
  }

  @Test
  void newWeightsAreATruncatedNormalWithSigmaPointZeroFive() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Variable<TFloat32> w = new Layers(tf, 1).newWeights(100, 100);
      float[] values = run(graph, w);
      double mean = 0;
      double sq = 0;
      for (float v : values) {
        mean += v;
        sq += v * v;
        // Truncated at two standard deviations.
        assertEquals(0, v, 2 * Layers.WEIGHT_STDDEV + 1e-6);
      }
      mean /= values.length;
      double std = Math.sqrt(sq / values.length - mean * mean);
      assertEquals(0, mean, 0.002);
      // A normal truncated at +-2 sigma keeps about 88% of sigma.
      assertEquals(0.88 * Layers.WEIGHT_STDDEV, std, 0.002);
    }
  }

  @Test
  void newBiasesAreAllPointZeroFive() {
    try (Graph graph = new Graph()) {
      float[] values = run(graph, new Layers(Ops.create(graph), 1).newBiases(7));
      float[] expected = new float[7];
      Arrays.fill(expected, 0.05f);
      assertArrayEquals(expected, values);
    }
  }

  @Test
  void aConvLayerIsSamePaddedConvolutionPlusBiasThenPoolThenRelu() {
    int side = 4;
    int channels = 2;
    int filters = 3;
    int k = 3;
    float[] image = SyntheticData.uniform(side * side * channels, 11);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Layers layers = new Layers(tf, 5);
      Layers.ConvLayer noPool =
          layers.newConvLayer(
              constant(tf, image, 1, side, side, channels), channels, k, filters, false);
      float[] weights = run(graph, noPool.weights());
      float[] actual = run(graph, noPool.layer());
      // Plain Java: zero-padded cross-correlation, + 0.05, ReLU.
      float[] expected = new float[side * side * filters];
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          for (int f = 0; f < filters; f++) {
            float sum = Layers.BIAS_INIT;
            for (int dy = 0; dy < k; dy++) {
              for (int dx = 0; dx < k; dx++) {
                int iy = y + dy - k / 2;
                int ix = x + dx - k / 2;
                if (iy < 0 || ix < 0 || iy >= side || ix >= side) {
                  continue;
                }
                for (int c = 0; c < channels; c++) {
                  sum +=
                      image[(iy * side + ix) * channels + c]
                          * weights[((dy * k + dx) * channels + c) * filters + f];
                }
              }
            }
            expected[(y * side + x) * filters + f] = Math.max(0, sum);
          }
        }
      }
      assertArrayEquals(expected, actual, TOLERANCE);
      assertEquals(Shape.of(1, side, side, filters), noPool.layer().shape());
    }
  }

  @Test
  void poolingTakesTheLargestOfEachTwoByTwoWindow() {
    float[] image = {
      1, 2, 5, 0,
      3, 4, 6, 7,
      -1, -2, 9, 8,
      -3, -4, 8, 9
    };
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      // A 1x1 filter: reading its weight back lets the test undo it exactly.
      Layers.ConvLayer pooled =
          new Layers(tf, 3).newConvLayer(constant(tf, image, 1, 4, 4, 1), 1, 1, 1, true);
      float w = run(graph, pooled.weights())[0];
      float[] actual = run(graph, pooled.layer());
      float[][] windows = {{1, 2, 3, 4}, {5, 0, 6, 7}, {-1, -2, -3, -4}, {9, 8, 8, 9}};
      float[] expected = new float[4];
      for (int i = 0; i < 4; i++) {
        float best = Float.NEGATIVE_INFINITY;
        for (float v : windows[i]) {
          best = Math.max(best, v * w + Layers.BIAS_INIT);
        }
        expected[i] = Math.max(0, best);
      }
      assertArrayEquals(expected, actual, TOLERANCE);
      assertEquals(Shape.of(1, 2, 2, 1), pooled.layer().shape());
    }
  }

  @Test
  void poolingsGradientGoesToEachWindowsLargestValue() {
    // Distinct values, so each window's largest is unique.
    float[] image = SyntheticData.uniform(2 * 6 * 6 * 3, 11);
    float[] upstream = SyntheticData.uniform(2 * 3 * 3 * 3, 12);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> x = constant(tf, image, 2, 6, 6, 3);
      Operand<TFloat32> pooled = new Layers(tf, 1).pool(x, ModelConfig.Pooling.MAX);
      Operand<TFloat32> loss =
          tf.reduceSum(
              tf.math.mul(pooled, constant(tf, upstream, 2, 3, 3, 3)),
              tf.constant(new int[] {0, 1, 2, 3}));
      Output<?> gradient = tf.gradients(loss, List.of(x)).dy(0);
      @SuppressWarnings("unchecked")
      float[] actual = run(graph, (Operand<TFloat32>) gradient);
      float[] expected = new float[image.length];
      for (int n = 0; n < 2; n++) {
        for (int py = 0; py < 3; py++) {
          for (int px = 0; px < 3; px++) {
            for (int c = 0; c < 3; c++) {
              int best = -1;
              for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                  int i = ((n * 6 + 2 * py + dy) * 6 + 2 * px + dx) * 3 + c;
                  if (best < 0 || image[i] > image[best]) {
                    best = i;
                  }
                }
              }
              expected[best] = upstream[((n * 3 + py) * 3 + px) * 3 + c];
            }
          }
        }
      }
      assertArrayEquals(expected, actual, 0f, "the upstream gradient, routed to each argmax");
    }
  }

  @Test
  void flattenKeepsRowMajorOrderAndCountsFeatures() {
    float[] values = SyntheticData.uniform(2 * 3 * 3 * 4, 2);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Layers.FlatLayer flat = new Layers(tf, 1).flattenLayer(constant(tf, values, 2, 3, 3, 4));
      assertEquals(36, flat.numFeatures());
      assertEquals(Shape.of(2, 36), flat.layer().shape());
      assertArrayEquals(values, run(graph, flat.layer()));
    }
  }

  @Test
  void aFullyConnectedLayerIsMatMulPlusBiasWithOptionalRelu() {
    float[] input = SyntheticData.uniform(2 * 3, 9);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Layers layers = new Layers(tf, 4);
      Operand<TFloat32> in = constant(tf, input, 2, 3);
      Operand<TFloat32> linear = layers.newFcLayer(in, 3, 4, false);
      Operand<TFloat32> relu = layers.newFcLayer(in, 3, 4, true);
      try (Session session = new Session(graph)) {
        session.initialize();
        try (Result r =
            session
                .runner()
                .fetch(linear)
                .fetch(relu)
                .fetch(layers.variables().get(0))
                .fetch(layers.variables().get(2))
                .run()) {
          float[] lin = read(r, 0);
          float[] rel = read(r, 1);
          float[] w1 = read(r, 2);
          float[] w2 = read(r, 3);
          for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
              float a = Layers.BIAS_INIT;
              float b = Layers.BIAS_INIT;
              for (int k = 0; k < 3; k++) {
                a += input[i * 3 + k] * w1[k * 4 + j];
                b += input[i * 3 + k] * w2[k * 4 + j];
              }
              assertEquals(a, lin[i * 4 + j], TOLERANCE);
              assertEquals(Math.max(0, b), rel[i * 4 + j], TOLERANCE);
            }
          }
        }
      }
    }
  }

  private static float[] read(Result r, int index) {
    TFloat32 t = (TFloat32) r.get(index);
    float[] out = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  @ParameterizedTest(name = "input {0}x{1}x{1}x{2}, {3}x{3} filters to {4} channels")
  @CsvSource({"3, 14, 16, 5, 36", "2, 7, 3, 3, 4", "1, 28, 1, 5, 16"})
  void aConvolutionComputedAsAFilterGradientEqualsConv2d(
      int images, int size, int channels, int filterSize, int outputs) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> input =
          tf.constant(
              Shape.of(images, size, size, channels),
              DataBuffers.of(SyntheticData.uniform(images * size * size * channels, 1)));
      Operand<TFloat32> filters =
          tf.constant(
              Shape.of(filterSize, filterSize, channels, outputs),
              DataBuffers.of(
                  SyntheticData.uniform(filterSize * filterSize * channels * outputs, 2)));
      Operand<TFloat32> expected = tf.nn.conv2d(input, filters, Layers.UNIT_STRIDES, "SAME");
      Operand<TFloat32> actual = Layers.convolveAsFilterGradient(tf, input, filters);
      // Each output sums filterSize^2 * channels products; their magnitudes, summed exactly as
      // the bound wants them, are the convolution of the magnitudes.
      Operand<TFloat32> magnitudes =
          tf.nn.conv2d(tf.math.abs(input), tf.math.abs(filters), Layers.UNIT_STRIDES, "SAME");
      long terms = (long) filterSize * filterSize * channels;
      try (Result result = session.runner().fetch(expected).fetch(actual).fetch(magnitudes).run()) {
        TFloat32 want = (TFloat32) result.get(0);
        TFloat32 got = (TFloat32) result.get(1);
        assertEquals(want.shape(), got.shape());
        float[] w = Tensors.floats(want);
        float[] g = Tensors.floats(got);
        float[] sums = Tensors.floats((TFloat32) result.get(2));
        for (int i = 0; i < w.length; i++) {
          assertEquals(w[i], g[i], Rounding.twoComputations(terms, sums[i]), "output " + i);
        }
      }
    }
  }

  @Test
  void aPredictingLayerComputesTheSecondConvolutionAsAFilterGradientWithTheSameValues() {
    int images = 3;
    int size = 14;
    int channels = 16;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> input =
          constant(
              tf,
              SyntheticData.uniform(images * size * size * channels, 4),
              images,
              size,
              size,
              channels);
      Layers notebook = new Layers(tf, 7);
      Layers.ConvLayer trained = notebook.newConvLayer(input, channels, 5, 36, true);
      Layers.ConvLayer predicting =
          Layers.reusing(
                  tf.withSubScope("predict"),
                  notebook.variables(),
                  Layers.Convolution.AS_FILTER_GRADIENT)
              .newConvLayer(input, channels, 5, 36, true);
      assertEquals(trained.weights(), predicting.weights());
      assertTrue(
          opTypes(graph, "predict/").contains("Conv2DBackpropFilter"),
          "the predicting layer runs the filter-gradient op");
      float[] expected = run(graph, trained.layer());
      float[] actual = run(graph, predicting.layer());
      assertEquals(expected.length, actual.length);
      // Inputs in [-1, 1) and weights within the truncated normal's two sigmas (0.1): each of the
      // 400 products is under 0.1 in magnitude, so their magnitudes sum to under 40. The bias adds
      // the same number on both sides, and ReLU and max-pool never widen a difference.
      double bound = Rounding.twoComputations(5 * 5 * channels, 5 * 5 * channels * 0.1);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], bound, "value " + i);
      }
    }
  }

  @Test
  void aPredictingLayerKeepsConv2dWhereTheFilterGradientDoesNotApply() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Layers layers = Layers.forPrediction(tf, Layers.Convolution.AS_FILTER_GRADIENT);
      // One input channel (the first convolution), an even filter, a strided convolution.
      layers.newConvLayer(
          tf.zeros(tf.constant(new int[] {1, 8, 8, 1}), TFloat32.class), 1, 5, 4, true);
      layers.newConvLayer(
          tf.zeros(tf.constant(new int[] {1, 8, 8, 4}), TFloat32.class), 4, 4, 4, true);
      layers.newConvLayer(
          tf.zeros(tf.constant(new int[] {1, 8, 8, 4}), TFloat32.class),
          4,
          5,
          4,
          ModelConfig.notebook().withPooling(ModelConfig.Pooling.STRIDE));
      List<String> types = opTypes(graph, "");
      assertFalse(types.contains("Conv2DBackpropFilter"), types.toString());
      assertEquals(3, types.stream().filter("Conv2D"::equals).count(), types.toString());
    }
  }

  /** The types of the graph's ops whose names start with {@code prefix}. */
  private static List<String> opTypes(Graph graph, String prefix) {
    List<String> types = new ArrayList<>();
    graph
        .operations()
        .forEachRemaining(
            op -> {
              if (op.name().startsWith(prefix)) {
                types.add(op.type());
              }
            });
    return types;
  }
}
