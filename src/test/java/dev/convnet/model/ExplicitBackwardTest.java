package dev.convnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.testing.SyntheticData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The hand-written training step and the towers compute what {@code addGradients} on one tower
 * computes: the same gradients of the same cost, to float rounding.
 */
class ExplicitBackwardTest {
  /** Gradients may differ by this share of their largest value: rounding, not a wrong term. */
  private static final double RELATIVE_TOLERANCE = 1e-5;

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
      Operand<TFloat32> actual = ExplicitBackward.convolveAsFilterGradient(tf, input, filters);
      try (Result result = session.runner().fetch(expected).fetch(actual).run()) {
        TFloat32 want = (TFloat32) result.get(0);
        TFloat32 got = (TFloat32) result.get(1);
        assertEquals(want.shape(), got.shape());
        assertClose("convolution", Tensors.floats(want), Tensors.floats(got));
      }
    }
  }

  @Test
  void theNotebooksLayersTakeTheExplicitStepAndTheVariantsDoNot() {
    assertTrue(ExplicitBackward.supports(ModelConfig.notebook()));
    assertTrue(ExplicitBackward.supports(ModelConfig.notebook().withPoolFirst(true)));
    assertFalse(
        ExplicitBackward.supports(ModelConfig.notebook().withPooling(ModelConfig.Pooling.AVG)));
    assertTrue(new ConvNetProbe(ModelConfig.notebook(), 1, true).net.explicitBackward);
  }

  /**
   * Every combination of towers and gradient source, from the same seed and on the same batch,
   * gives the gradients that addGradients gives on one tower; the batch's size does not divide by
   * the towers, so the shares differ in size.
   */
  @ParameterizedTest(name = "{0} tower(s), explicit backward {1}, {2} images")
  @CsvSource({
    "1, true, 7, false",
    "2, true, 7, false",
    "2, false, 7, false",
    "3, true, 10, false",
    "2, true, 2, false",
    "2, true, 1, false",
    "2, true, 7, true"
  })
  void towersAndTheExplicitStepGiveTheWholeBatchsGradients(
      int towers, boolean explicit, int images, boolean poolFirst) {
    ModelConfig network = ModelConfig.notebook().withPoolFirst(poolFirst);
    float[] x = new float[images * ModelConfig.IMG_SIZE_FLAT];
    float[] pixels = SyntheticData.uniform(x.length, 3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (pixels[i] + 1) / 2;
    }
    float[] y = new float[images * ModelConfig.NUM_CLASSES];
    for (int i = 0; i < images; i++) {
      y[i * ModelConfig.NUM_CLASSES + (i * 3) % ModelConfig.NUM_CLASSES] = 1;
    }
    ConvNetProbe reference = new ConvNetProbe(network, 1, false);
    ConvNetProbe probe = new ConvNetProbe(network, towers, explicit);
    try (reference.net;
        probe.net) {
      if (images >= towers) {
        List<float[]> want = reference.gradients(x, y, images);
        List<float[]> got = probe.gradients(x, y, images);
        for (int v = 0; v < want.size(); v++) {
          assertClose("gradient " + v, want.get(v), got.get(v));
        }
      }
      // A batch smaller than the towers takes the whole-network step instead.
      assertEquals(
          reference.net.trainStep(x, y, images, 1e-3f).cost(),
          probe.net.trainStep(x, y, images, 1e-3f).cost(),
          1e-6f);
      assertClose(
          "conv1 weights after a step",
          reference.net.valueOf(reference.net.weightsConv1),
          probe.net.valueOf(probe.net.weightsConv1));
    }
  }

  /**
   * Exercise 6 in training: pooling before the ReLU gives the very same gradients, bit for bit, as
   * the ReLU before pooling (relu(max_pool(x)) == max_pool(relu(x)), and the gradient goes to the
   * same pixel or to none).
   */
  @Test
  void poolingFirstGivesTheSameGradientsBitForBit() {
    int images = 6;
    float[] x = SyntheticData.uniform(images * ModelConfig.IMG_SIZE_FLAT, 5);
    float[] y = new float[images * ModelConfig.NUM_CLASSES];
    for (int i = 0; i < images; i++) {
      y[i * ModelConfig.NUM_CLASSES + i] = 1;
    }
    ConvNetProbe reluFirst = new ConvNetProbe(ModelConfig.notebook(), 2, true);
    ConvNetProbe poolFirst = new ConvNetProbe(ModelConfig.notebook().withPoolFirst(true), 2, true);
    try (reluFirst.net;
        poolFirst.net) {
      List<float[]> want = reluFirst.gradients(x, y, images);
      List<float[]> got = poolFirst.gradients(x, y, images);
      for (int v = 0; v < want.size(); v++) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            want.get(v), got.get(v), "gradient " + v);
      }
    }
  }

  /** A network of {@code towers} towers, seeded alike, whose step's gradients can be fetched. */
  private static final class ConvNetProbe {
    final ConvNet net;

    ConvNetProbe(ModelConfig config, int towers, boolean explicit) {
      net = new ConvNet(config, 42, Device.CPU_NAME, towers, explicit);
      net.initialize();
    }

    List<float[]> gradients(float[] x, float[] y, int n) {
      try (TFloat32 xs = Tensors.images(x, n);
          TFloat32 ys = Tensors.matrix(y, n, ModelConfig.NUM_CLASSES)) {
        Session.Runner runner = net.session.runner().feed(net.x, xs).feed(net.yTrue, ys);
        net.adamState.gradients().forEach(runner::fetch);
        try (Result result = runner.run()) {
          List<float[]> values = new ArrayList<>();
          for (int i = 0; i < result.size(); i++) {
            values.add(Tensors.floats((TFloat32) result.get(i)));
          }
          return values;
        }
      }
    }
  }

  private static void assertClose(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what + ": length");
    double largest = 0;
    for (float e : expected) {
      largest = Math.max(largest, Math.abs(e));
    }
    assertTrue(largest > 0, what + ": all zero, a test that could not fail");
    for (int i = 0; i < expected.length; i++) {
      double tolerance = RELATIVE_TOLERANCE * largest;
      if (Math.abs(expected[i] - actual[i]) > tolerance) {
        throw new AssertionError(
            what
                + "["
                + i
                + "]: expected "
                + expected[i]
                + ", got "
                + actual[i]
                + " (largest "
                + largest
                + ")");
      }
    }
  }
}
