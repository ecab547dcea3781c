package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.model.AdamOptimizer;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.StepRunner;
import dev.convnet.model.Tensors;
import dev.convnet.model.ThreadPolicy;
import dev.convnet.testing.Rounding;
import dev.convnet.testing.SyntheticData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The fast CPU step computes the notebook's In [31] step: the same gradients as addGradients on the
 * notebook's ops, to float rounding, and, step after step, the same weights and Adam moments.
 */
class FastCpuStepTest {
  @Test
  void appliesToTheNotebooksLayersOnTheCpuOnly() {
    assertTrue(FastCpuStep.supports(ModelConfig.notebook(), Device.CPU_NAME));
    assertTrue(FastCpuStep.supports(ModelConfig.notebook().withPoolFirst(true), Device.CPU_NAME));
    assertFalse(
        FastCpuStep.supports(
            ModelConfig.notebook().withPooling(ModelConfig.Pooling.AVG), Device.CPU_NAME));
    assertFalse(FastCpuStep.supports(ModelConfig.notebook().withDropout(0.5f), Device.CPU_NAME));
    assertFalse(FastCpuStep.supports(ModelConfig.notebook(), Device.GPU_NAME));
    // The graph falls back to the notebook's step where the fast one does not apply.
    try (TrainingGraph graph =
        TrainingGraph.build(
            ModelConfig.notebook().withConvLayers(3),
            TrainConfig.NOTEBOOK,
            TrainingStep.Kind.FAST,
            Device.CPU_NAME)) {
      assertFalse(graph.step instanceof FastCpuStep);
      assertEquals(1, graph.net.threads.towers(), "the notebook's step takes the whole batch");
    }
  }

  /**
   * On one network, from the same weights and batch, the fast step's gradients (its towers' shares
   * added up) equal the notebook's addGradients; the batch's size need not divide by the towers, so
   * the shares may differ in size. (The pooling-first order's fast gradients are held bit-equal to
   * these by {@link #poolingFirstGivesTheSameGradientsBitForBit}.)
   */
  @ParameterizedTest(name = "{0} tower(s), {1} images, weights seeded {2}, batch seeded {3}")
  @CsvSource({"1, 7, 42, 3", "2, 7, 42, 3", "3, 10, 42, 3", "2, 2, 42, 3", "2, 64, 7, 10"})
  void theTowersGradientsAreTheNotebooks(int towers, int images, long netSeed, long batchSeed) {
    ModelConfig network = ModelConfig.notebook();
    Batch batch = batch(images, batchSeed);
    try (ConvNet net = new ConvNet(network, netSeed, Device.CPU_NAME, towers(towers))) {
      net.initialize();
      FastCpuStep fast = new FastCpuStep(net);
      List<float[]> want = fetch(net, net.gradients, batch);
      List<float[]> got = fetch(net, fast.gradients(), batch);
      double[] kinks = kinkAllowance(net, batch);
      for (int v = 0; v < want.size(); v++) {
        double tolerance =
            Rounding.twoComputations(
                    gradientTerms(network, v, images), Rounding.largest(want.get(v)))
                + kinks[v];
        assertClose("gradient of variable " + v, want.get(v), got.get(v), tolerance);
      }
    }
  }

  /**
   * What a ReLU within rounding of its kink may add to each variable's gradient difference. Where a
   * convolution's output z is within its rounding bound of 0, one computation may pass the gradient
   * that reaches it and the other block it (seen: z = +3e-8 in one graph, 0 after the ReLU in the
   * other, on an Intel Xeon). Such a unit of conv2 moves conv2's bias gradient by at most the
   * gradient routed to it, g, its weights' by g times the largest input, and, through conv2's
   * filters, conv1's by g times the largest sum of one output channel's filter magnitudes; a unit
   * of conv1 moves conv1's likewise. The fully-connected layers see none of it (their inputs are
   * the same to rounding). Read from the notebook's graph of the relu-first order, by its op names:
   * the convolutions' BiasAdd outputs and the gradients Max-pooling routes back to them.
   */
  private static double[] kinkAllowance(ConvNet net, Batch batch) {
    ModelConfig config = net.config;
    try (TFloat32 xs = Tensors.images(batch.x(), batch.n());
        TFloat32 ys = Tensors.matrix(batch.y(), batch.n(), ModelConfig.NUM_CLASSES);
        Result r =
            net.session
                .runner()
                .feed(net.x, xs)
                .feed(net.yTrue, ys)
                .fetch("BiasAdd")
                .fetch("BiasAdd_1")
                .fetch("adam/Gradients/MaxPoolGrad_1")
                .fetch("adam/Gradients/MaxPoolGrad")
                .fetch("MaxPool")
                .run()) {
      float[] z1 = Tensors.floats((TFloat32) r.get(0));
      float[] z2 = Tensors.floats((TFloat32) r.get(1));
      long terms1 = (long) config.filterSize1() * config.filterSize1() + 1;
      long terms2 =
          terms1 + (long) config.filterSize2() * config.filterSize2() * config.numFilters1();
      double g1 = routedAtKinks(z1, Tensors.floats((TFloat32) r.get(2)), terms1);
      double g2 = routedAtKinks(z2, Tensors.floats((TFloat32) r.get(3)), terms2);
      float[] w2 = net.valueOf(net.weightsConv2);
      int outputs = config.numFilters2();
      double[] fan = new double[outputs];
      for (int i = 0; i < w2.length; i++) {
        fan[i % outputs] += Math.abs(w2[i]);
      }
      double widestFan = java.util.Arrays.stream(fan).max().orElse(0);
      double conv1 = g1 + g2 * widestFan;
      double largestPixel = Rounding.largest(batch.x());
      double largestPool1 = Rounding.largest(Tensors.floats((TFloat32) r.get(4)));
      return new double[] {conv1 * largestPixel, conv1, g2 * largestPool1, g2, 0, 0, 0, 0};
    }
  }

  /** The sum of the gradients routed to units whose value is within rounding of ReLU's kink. */
  private static double routedAtKinks(float[] z, float[] routed, long terms) {
    double bound = Rounding.twoComputations(terms, Rounding.largest(z));
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      if (Math.abs(z[i]) <= bound) {
        sum += Math.abs(routed[i]);
      }
    }
    return sum;
  }

  /** In [31]'s rate. */
  private static final float RATE = TrainConfig.NOTEBOOK_LEARNING_RATE;

  /**
   * Five seeded steps of each on different batches (the last of a single image, which the fast step
   * hands to the notebook's own op), each from the same state: before every step the reference's
   * weights and Adam moments are copied into the twin, so no step inherits another's rounding. Per
   * step: the cost and accuracy agree within what the logits' rounding allows, and every weight and
   * both Adam moments of every weight, on either side, are what Adam makes of a gradient within
   * rounding of the reference's gradient ({@link #gradientTerms}).
   */
  @Test
  void eachStepFromTheSameStateLeavesTheSameWeightsAndAdamState(@TempDir Path dir) {
    int[] sizes = {64, 64, 37, 64, 1};
    ModelConfig config = ModelConfig.notebook();
    try (ConvNet notebook = new ConvNet(config, 7, Device.CPU_NAME, ThreadPolicy.wholeBatch());
        TrainingGraph twinGraph =
            TrainingGraph.build(
                config,
                TrainConfig.NOTEBOOK.withSeed(7),
                TrainingStep.Kind.FAST,
                Device.CPU_NAME,
                towers(2))) {
      ConvNet twin = twinGraph.net;
      notebook.initialize();
      twinGraph.initialize();
      TrainingStep reference = TrainingStep.notebook(notebook);
      TrainingStep fast = twinGraph.step;
      assertTrue(fast instanceof FastCpuStep, fast.describe());
      for (int step = 0; step < sizes.length; step++) {
        String label = "step " + step + " (" + sizes[step] + " images)";
        String prefix = dir.resolve("step" + step).resolve("state").toString();
        notebook.session.save(prefix);
        twin.session.restore(prefix);
        Batch batch = batch(sizes[step], 10 + step);
        int n = batch.n();
        List<float[]> before = values(notebook, state(notebook));
        List<float[]> gradients = fetch(notebook, notebook.gradients, batch);
        double[] kinks = kinkAllowance(notebook, batch);
        float[] logits = notebook.evaluate(notebook.layerFc2, batch.x(), n);

        StepRunner.StepResult want = reference.run(batch.asNet(), RATE, null);
        StepRunner.StepResult got = fast.run(batch.asNet(), RATE, null);
        // A cross-entropy, logsumexp(z) - z[label], moves by at most twice its logits' error; the
        // mean adds n terms of the cost's size.
        double logitError =
            Rounding.twoComputations(Rounding.forwardTerms(config), Rounding.largest(logits));
        assertEquals(
            want.cost(),
            got.cost(),
            2 * logitError + Rounding.twoComputations(n, want.cost()),
            "cost, " + label);
        // A count of correct images: only an image whose two largest logits are within rounding
        // of each other may be counted differently.
        int ambiguous = Rounding.ambiguousRows(logits, n, ModelConfig.NUM_CLASSES, 2 * logitError);
        assertTrue(
            Math.round(Math.abs(want.accuracy() - got.accuracy()) * n) <= ambiguous,
            "accuracy, " + label + ": " + want.accuracy() + " against " + got.accuracy());

        List<float[]> wantAfter = values(notebook, state(notebook));
        List<float[]> gotAfter = values(twin, state(twin));
        int variables = notebook.trainableVariables.size();
        float beta1Power = before.get(before.size() - 2)[0];
        float beta2Power = before.get(before.size() - 1)[0];
        for (int v = 0; v < variables; v++) {
          double gradientError =
              Rounding.twoComputations(
                      gradientTerms(config, v, n), Rounding.largest(gradients.get(v)))
                  + kinks[v];
          AdamBounds bounds =
              new AdamBounds(
                  before.get(v),
                  before.get(variables + 2 * v),
                  before.get(variables + 2 * v + 1),
                  gradients.get(v),
                  gradientError,
                  RATE * Math.sqrt(1 - beta2Power) / (1 - beta1Power));
          String name = label + ", variable " + v;
          for (List<float[]> after : List.of(wantAfter, gotAfter)) {
            String side = after == wantAfter ? " (notebook)" : " (fast)";
            bounds.check(
                name + side,
                after.get(v),
                after.get(variables + 2 * v),
                after.get(variables + 2 * v + 1));
          }
        }
        // The powers are one float multiplication of equal values on each side: equal exactly.
        for (int p = wantAfter.size() - 2; p < wantAfter.size(); p++) {
          assertArrayEquals(wantAfter.get(p), gotAfter.get(p), label + ", beta power");
        }
      }
    }
  }

  /**
   * Products summed on the way to the gradient of variable {@code v} (Layers' order: conv1's
   * weights and biases, conv2's, fc1's, fc2's) for a batch of {@code n}: the forward pass to the
   * logits, then each backward sum: fc2's outputs (10), fc1's (128), conv2's input gradient
   * (5x5x36), and the variable's own sum over the batch and its output pixels (28x28 for conv1,
   * 14x14 for conv2); plus the towers' shares added up (one term a tower, at most n).
   */
  private static long gradientTerms(ModelConfig config, int v, int n) {
    long side = ModelConfig.IMG_SIZE;
    long[] backward = {
      ModelConfig.NUM_CLASSES
          + config.fcSize()
          + (long) config.filterSize2() * config.filterSize2() * config.numFilters2()
          + n * side * side,
      ModelConfig.NUM_CLASSES + config.fcSize() + n * (side / 2) * (side / 2),
      ModelConfig.NUM_CLASSES + n,
      n
    };
    return Rounding.forwardTerms(config) + backward[v / 2] + n;
  }

  /**
   * What TensorFlow's ApplyAdam makes of a weight, its moments m and v and a gradient anywhere in
   * {@code [g - error, g + error]}: {@code m' = m + (g - m)(1 - beta1)}, {@code v' = v + (g^2 -
   * v)(1 - beta2)}, {@code w' = w - rate m' / (sqrt(v') + epsilon)}, each value's range over the
   * interval, widened by the few float roundings of the update itself.
   */
  private record AdamBounds(float[] w, float[] m, float[] v, float[] g, double error, double rate) {
    /** A handful of float32 operations, each off by at most half an ulp of its operands. */
    private static final double UPDATE_ROUNDING = 8 * Rounding.UNIT;

    void check(String what, float[] wAfter, float[] mAfter, float[] vAfter) {
      double b1 = AdamOptimizer.BETA1;
      double b2 = AdamOptimizer.BETA2;
      for (int i = 0; i < w.length; i++) {
        double lo = g[i] - error;
        double hi = g[i] + error;
        double mLo = m[i] + (lo - m[i]) * (1 - b1);
        double mHi = m[i] + (hi - m[i]) * (1 - b1);
        within(what + " m", i, mAfter[i], mLo, mHi, Math.abs(m[i]) + Math.abs(mHi - mLo) + error);
        double gSmallest = lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi));
        double gLargest = Math.max(Math.abs(lo), Math.abs(hi));
        double vLo = v[i] + (gSmallest * gSmallest - v[i]) * (1 - b2);
        double vHi = v[i] + (gLargest * gLargest - v[i]) * (1 - b2);
        within(what + " v", i, vAfter[i], vLo, vHi, v[i] + vHi);
        // The move is smooth in g with one turning point at most, where (ignoring epsilon)
        // (1 - b1)(b2 v) = (b1 m)(1 - b2) g: the range is among the ends and that point.
        double wLo = Double.POSITIVE_INFINITY;
        double wHi = Double.NEGATIVE_INFINITY;
        double turn = (1 - b1) * b2 * v[i] / (b1 * m[i] * (1 - b2));
        for (double x : new double[] {lo, hi, (lo + hi) / 2, turn}) {
          if (x >= lo && x <= hi) {
            double mx = m[i] + (x - m[i]) * (1 - b1);
            double vx = v[i] + (x * x - v[i]) * (1 - b2);
            double moved = w[i] - rate * mx / (Math.sqrt(vx) + AdamOptimizer.EPSILON);
            wLo = Math.min(wLo, moved);
            wHi = Math.max(wHi, moved);
          }
        }
        within(what + " weight", i, wAfter[i], wLo, wHi, Math.abs(w[i]) + rate);
      }
    }

    private static void within(
        String what, int i, float actual, double lo, double hi, double scale) {
      double slack = UPDATE_ROUNDING * scale;
      if (actual < lo - slack || actual > hi + slack) {
        throw new AssertionError(
            what + "[" + i + "] = " + actual + ", outside [" + lo + ", " + hi + "] +- " + slack);
      }
    }
  }

  /**
   * Exercise 6 in training: pooling before the ReLU gives the very same gradients, bit for bit, as
   * the ReLU before pooling (relu(max_pool(x)) == max_pool(relu(x)), and the gradient goes to the
   * same pixel or to none). Exact equality is guaranteed, not hoped for: max and ReLU commute
   * exactly in float32, ties pick the same first pixel, so both graphs feed bit-equal values to the
   * very same op types at the very same shapes and thread counts, and oneDNN's CPU kernels are
   * deterministic for equal inputs (no atomics; the split of each sum depends only on shapes and
   * threads).
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
    all.addAll(net.adam.slots());
    all.add(net.adam.beta1Power());
    all.add(net.adam.beta2Power());
    return all;
  }

  private static List<float[]> values(ConvNet net, List<Variable<TFloat32>> variables) {
    List<float[]> values = new ArrayList<>();
    for (Variable<TFloat32> variable : variables) {
      values.add(net.valueOf(variable));
    }
    return values;
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

  private static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
    assertEquals(expected.length, actual.length, what + ": length");
    assertTrue(Rounding.largest(expected) > 0, what + ": all zero, a test that could not fail");
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
                + " (tolerance "
                + tolerance
                + ")");
      }
    }
  }
}
