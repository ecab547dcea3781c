package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.Layers;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.StepRunner;
import dev.convnet.model.Tensors;
import dev.convnet.model.ThreadPolicy;
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
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The fast CPU step computes the notebook's In [31] step: the same gradients as addGradients on the
 * notebook's ops, to float rounding, and, step after step, the same weights and Adam moments.
 */
class FastCpuStepTest {
  /** Values may differ by this share of the largest one: rounding, not a wrong term. */
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
  void appliesToTheNotebooksLayersOnTheCpuOnly() {
    assertTrue(FastCpuStep.supports(ModelConfig.notebook(), Device.CPU_NAME));
    assertTrue(FastCpuStep.supports(ModelConfig.notebook().withPoolFirst(true), Device.CPU_NAME));
    assertFalse(
        FastCpuStep.supports(
            ModelConfig.notebook().withPooling(ModelConfig.Pooling.AVG), Device.CPU_NAME));
    assertFalse(FastCpuStep.supports(ModelConfig.notebook().withDropout(0.5f), Device.CPU_NAME));
    assertFalse(FastCpuStep.supports(ModelConfig.notebook(), Device.GPU_NAME));
    // Trainer.stepFor falls back to the notebook's step where the fast one does not apply.
    try (ConvNet net =
        new ConvNet(ModelConfig.notebook().withConvLayers(3), 1, Device.CPU_NAME, towers(2))) {
      assertFalse(Trainer.stepFor(TrainingStep.Kind.FAST, net) instanceof FastCpuStep);
    }
  }

  /**
   * On one network, from the same weights and batch, the fast step's gradients (its towers' shares
   * added up) equal the notebook's addGradients; the batch's size does not divide by the towers, so
   * the shares differ in size.
   */
  @ParameterizedTest(name = "{0} tower(s), {1} images, pool first {2}")
  @CsvSource({"1, 7, false", "2, 7, false", "3, 10, false", "2, 2, false", "2, 7, true"})
  void theTowersGradientsAreTheNotebooks(int towers, int images, boolean poolFirst) {
    ModelConfig network = ModelConfig.notebook().withPoolFirst(poolFirst);
    Batch batch = batch(images, 3);
    try (ConvNet net = new ConvNet(network, 42, Device.CPU_NAME, towers(towers))) {
      net.initialize();
      FastCpuStep fast = new FastCpuStep(net);
      List<float[]> want = fetch(net, net.gradients, batch);
      List<float[]> got = fetch(net, fast.gradients(), batch);
      for (int v = 0; v < want.size(); v++) {
        assertClose("gradient of variable " + v, want.get(v), got.get(v));
      }
    }
  }

  /**
   * In [31]'s rate. Adam moves each weight by about the rate times the sign of a consistent
   * gradient, so where a gradient is within rounding of zero the two steps may move a weight by up
   * to the rate in opposite directions: at 1e-4 over five steps that stays far under 1e-5 of the
   * largest weight, while every weight moves by about 5e-4.
   */
  private static final float RATE = TrainConfig.NOTEBOOK_LEARNING_RATE;

  /**
   * Five seeded steps of each on the same batches (the last one of a single image, which the fast
   * step hands to the notebook's own op): every weight and both Adam moments of every weight agree,
   * so the moments, which carry the gradients' scale, prove more than the weights alone would.
   */
  @Test
  void fiveStepsOfEachLeaveTheSameWeightsAndAdamState() {
    int[] sizes = {64, 64, 37, 64, 1};
    try (ConvNet notebook =
            new ConvNet(ModelConfig.notebook(), 7, Device.CPU_NAME, ThreadPolicy.wholeBatch());
        ConvNet twin = new ConvNet(ModelConfig.notebook(), 7, Device.CPU_NAME, towers(2))) {
      notebook.initialize();
      twin.initialize();
      TrainingStep reference = TrainingStep.notebook(notebook);
      TrainingStep fast = Trainer.stepFor(TrainingStep.Kind.FAST, twin);
      assertTrue(fast instanceof FastCpuStep, fast.describe());
      for (int step = 0; step < sizes.length; step++) {
        Batch batch = batch(sizes[step], 10 + step);
        StepRunner.StepResult want = reference.run(batch.asNet(), RATE, null);
        StepRunner.StepResult got = fast.run(batch.asNet(), RATE, null);
        assertEquals(want.cost(), got.cost(), 1e-5 * Math.abs(want.cost()), "cost, step " + step);
        assertEquals(want.accuracy(), got.accuracy(), "accuracy, step " + step);
      }
      List<Variable<TFloat32>> wantState = state(notebook);
      List<Variable<TFloat32>> gotState = state(twin);
      for (int v = 0; v < wantState.size(); v++) {
        assertClose(
            "variable " + wantState.get(v).op().name(),
            notebook.valueOf(wantState.get(v)),
            twin.valueOf(gotState.get(v)));
      }
    }
  }

  /**
   * Exercise 6 in training: pooling before the ReLU gives the very same gradients, bit for bit, as
   * the ReLU before pooling (relu(max_pool(x)) == max_pool(relu(x)), and the gradient goes to the
   * same pixel or to none).
   */
  @Test
  void poolingFirstGivesTheSameGradientsBitForBit() {
    Batch batch = batch(6, 5);
    try (ConvNet reluFirst = new ConvNet(ModelConfig.notebook(), 42, Device.CPU_NAME, towers(2));
        ConvNet poolFirst =
            new ConvNet(
                ModelConfig.notebook().withPoolFirst(true), 42, Device.CPU_NAME, towers(2))) {
      reluFirst.initialize();
      poolFirst.initialize();
      List<float[]> want = fetch(reluFirst, new FastCpuStep(reluFirst).gradients(), batch);
      List<float[]> got = fetch(poolFirst, new FastCpuStep(poolFirst).gradients(), batch);
      for (int v = 0; v < want.size(); v++) {
        assertArrayEquals(want.get(v), got.get(v), "gradient " + v);
      }
    }
  }

  private static ThreadPolicy towers(int towers) {
    return ThreadPolicy.towers(towers);
  }

  /** Weights, then Adam's moments and powers. */
  private static List<Variable<TFloat32>> state(ConvNet net) {
    List<Variable<TFloat32>> all = new ArrayList<>(net.trainableVariables);
    all.addAll(net.adam.stateVariables());
    return all;
  }

  private record Batch(float[] x, float[] y, int n) {
    StepRunner.Batch asNet() {
      return new StepRunner.Batch(x, y, n);
    }
  }

  /** {@code n} images of pixels in [0, 1] and one-hot labels, from {@code seed}. */
  private static Batch batch(int n, long seed) {
    float[] pixels = SyntheticData.uniform(n * ModelConfig.IMG_SIZE_FLAT, seed);
    float[] x = new float[pixels.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (pixels[i] + 1) / 2;
    }
    float[] y = new float[n * ModelConfig.NUM_CLASSES];
    for (int i = 0; i < n; i++) {
      y[i * ModelConfig.NUM_CLASSES + (int) ((i * 3 + seed) % ModelConfig.NUM_CLASSES)] = 1;
    }
    return new Batch(x, y, n);
  }

  private static List<float[]> fetch(ConvNet net, List<Operand<TFloat32>> ops, Batch batch) {
    try (TFloat32 xs = Tensors.images(batch.x(), batch.n());
        TFloat32 ys = Tensors.matrix(batch.y(), batch.n(), ModelConfig.NUM_CLASSES)) {
      Session.Runner runner = net.session.runner().feed(net.x, xs).feed(net.yTrue, ys);
      ops.forEach(runner::fetch);
      try (Result result = runner.run()) {
        List<float[]> values = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
          values.add(Tensors.floats((TFloat32) result.get(i)));
        }
        return values;
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
    double tolerance = RELATIVE_TOLERANCE * largest;
    for (int i = 0; i < expected.length; i++) {
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
