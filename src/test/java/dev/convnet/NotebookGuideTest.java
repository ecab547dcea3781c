package dev.convnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Layers;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.model.StepRunner;
import dev.convnet.model.Tensors;
import dev.convnet.results.Evaluation;
import dev.convnet.run.DataSource;
import dev.convnet.run.RunRecord;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.testing.Configs;
import dev.convnet.testing.Rounding;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingStep;
import dev.convnet.viz.Figures;
import dev.convnet.viz.ImageGrid;
import dev.convnet.viz.NamedTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The notebook, cell by cell: each test names a code cell of {@code
 * convolutional-neural-network-fashion-mnist} and checks what the Java port does there. Read it
 * next to the notebook. Cells on the real data use Fashion-MNIST as installed (scripts/fetch-data);
 * the graph cells use a small generated set so they run in seconds. Every test passes alone and in
 * any order: the shared network is only read, or re-initialized by the test that changes it, and
 * the training sequence of In [43]-[46] has its own network in {@link Training}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The notebook, cell by cell")
class NotebookGuideTest {
  private static final long SEED = 42;
  private FashionMnist.Data real;
  private Split split;
  private ConvNet net;
  private Trainer trainer;
  private final List<String> printed = new ArrayList<>();

  @BeforeAll
  void buildTheGraphOnSmallData() {
    split = SyntheticData.split(2_000, 500, 1_000, 11);
    net = new ConvNet(ModelConfig.notebook(), SEED);
    trainer = new Trainer(net, split, Configs.constant(64, 1e-3f, SEED), printed::add);
    net.initialize(); // In [35]
  }

  @AfterAll
  void closeTheSession() {
    net.close();
  }

  private FashionMnist.Data real() {
    if (real == null) {
      real = FashionMnist.load((Path) null);
    }
    return real;
  }

  private static String shape(Shape s) {
    return Arrays.toString(s.asArray());
  }

  // --- Cells 1-6: set-up and data ---------------------------------------------------------------

  @Test
  @DisplayName("In [1]: the imports: TensorFlow's native library loads and reports version 2.18")
  void in01() {
    assertTrue(TensorFlow.version().startsWith("2.18"), TensorFlow.version());
  }

  @Test
  @DisplayName(
      "In [2]: the configuration sizes the layers: change a number, re-run, and the graph follows")
  void in02() {
    ModelConfig c = net.config;
    assertEquals(
        Shape.of(c.filterSize1(), c.filterSize1(), 1, c.numFilters1()), net.weightsConv1.shape());
    assertEquals(
        Shape.of(c.filterSize2(), c.filterSize2(), c.numFilters1(), c.numFilters2()),
        net.weightsConv2.shape());
    assertEquals(c.fcSize(), net.layerFc1.shape().size(1));
    ModelConfig edited = c.withFilterSize1(3).withNumFilters2(8).withFcSize(32);
    try (ConvNet other = new ConvNet(edited, SEED)) {
      assertEquals(Shape.of(3, 3, 1, c.numFilters1()), other.weightsConv1.shape());
      assertEquals(
          Shape.of(c.filterSize2(), c.filterSize2(), c.numFilters1(), 8),
          other.weightsConv2.shape());
      assertEquals(7 * 7 * 8, other.numFeatures, "two 2x2 poolings take 28 to 7");
      assertEquals(32, other.layerFc1.shape().size(1));
      // Every weight and bias, from the sizes alone.
      long expected = 0;
      long[][] layers = {
        {3 * 3 * 1, c.numFilters1()},
        {(long) c.filterSize2() * c.filterSize2() * c.numFilters1(), 8},
        {7 * 7 * 8, 32},
        {32, ModelConfig.NUM_CLASSES}
      };
      for (long[] layer : layers) {
        expected += layer[0] * layer[1] + layer[1];
      }
      assertEquals(expected, other.parameterCount());
    }
  }

  @Test
  @Tag("realdata")
  @DisplayName(
      "In [3]: load_data gives x_train (60000, 28, 28) and y_train (60000,), x_test 10,000")
  void in03() {
    assertEquals(60_000, real().train().size());
    assertEquals(28, real().train().imageSize());
    assertEquals(60_000 * 28 * 28, real().train().pixels().length);
    assertEquals(10_000, real().test().size());
  }

  @Test
  @Tag("realdata")
  @DisplayName("In [4]: img_size 28, img_size_flat 784, num_classes 10, num_channels 1")
  void in04() {
    assertEquals(ModelConfig.IMG_SIZE, real().train().imageSize());
    assertEquals(ModelConfig.IMG_SIZE_FLAT, real().train().pixelsPerImage());
    assertEquals(
        ModelConfig.NUM_CLASSES,
        Arrays.stream(real().train().classCounts()).filter(n -> n > 0).count());
    // num_channels: grey-scale, one value a pixel, and the convolutions' input has one channel.
    assertEquals(
        real().train().imageSize() * real().train().imageSize() * ModelConfig.NUM_CHANNELS,
        real().train().pixelsPerImage());
    assertEquals(ModelConfig.NUM_CHANNELS, net.xImage.shape().size(3));
  }

  @Test
  @Tag("realdata")
  @DisplayName("In [5]: y = 2 Pullover for training image 5; 6,000 images of each class")
  void in05() {
    int labelIndex = real().train().label(5);
    assertEquals("y = 2 Pullover", "y = " + labelIndex + " " + FashionMnist.LABELS.get(labelIndex));
    int[] expected = new int[10];
    Arrays.fill(expected, 6_000);
    assertArrayEquals(expected, real().train().classCounts());
    assertEquals(10, FashionMnist.LABELS.size());
  }

  @Test
  @Tag("realdata")
  @DisplayName(
      "In [6]: the first 5,000 training images validate, 55,000 train; images become 784 floats in [0,1], labels one-hot")
  void in06() {
    Split s = Split.of(real(), 5_000);
    assertEquals(55_000, s.train().size());
    assertEquals(5_000, s.validation().size());
    assertEquals(10_000, s.test().size());
    assertEquals(real().train().label(5_000), s.train().label(0));
    assertEquals(real().train().label(0), s.validation().label(0));
    float[] x = s.train().images(new int[] {0, 1});
    assertEquals(2 * 784, x.length);
    float max = 0;
    for (float v : x) {
      assertTrue(v >= 0 && v <= 1);
      max = Math.max(max, v);
    }
    assertEquals(1f, max, "the brightest pixel maps to 1");
    float[] y = s.train().oneHot(new int[] {0});
    assertEquals(1f, y[s.train().label(0)]);
    assertEquals(1f, sum(y));
  }

  // --- Cells 7-11: the helpers (more in LayersTest) ---------------------------------------------

  @Test
  @DisplayName("In [7]: new_weights makes a variable of the given shape")
  void in07() {
    assertEquals("[5, 5, 1, 16]", shape(net.weightsConv1.shape()));
  }

  @Test
  @DisplayName("In [8]: new_biases starts every bias at 0.05")
  void in08() {
    net.initialize();
    // Weights and biases alternate: every second variable is a layer's biases.
    for (int v = 1; v < net.trainableVariables.size(); v += 2) {
      for (float b : net.valueOf(net.trainableVariables.get(v))) {
        assertEquals(0.05f, b, "the notebook's tf.constant(0.05)");
      }
    }
  }

  @Test
  @DisplayName(
      "In [9]: new_conv_layer returns the layer and its weights; 2x2 pooling halves 28 to 14")
  void in09() {
    assertEquals(14, net.layerConv1.shape().size(1));
    assertEquals("[5, 5, 16, 36]", shape(net.weightsConv2.shape()));
  }

  @Test
  @DisplayName(
      "In [10]: flatten_layer returns the flat layer and num_features from the static shape")
  void in10() {
    assertEquals(
        net.layerConv2.shape().size(1)
            * net.layerConv2.shape().size(2)
            * net.layerConv2.shape().size(3),
        net.numFeatures);
  }

  @Test
  @DisplayName("In [11]: new_fc_layer maps [?, num_inputs] to [?, num_outputs]")
  void in11() {
    assertEquals(net.numFeatures, net.layerFlat.shape().size(1));
    assertEquals(128, net.layerFc1.shape().size(1));
  }

  // --- Cells 12-35: the graph -------------------------------------------------------------------

  @Test
  @DisplayName("In [12]: x is a float placeholder [?, 784] named 'x'")
  void in12() {
    assertEquals("[-1, 784]", shape(net.x.shape()));
    assertEquals("x", net.x.op().name());
  }

  @Test
  @DisplayName("In [13]: x_image reshapes x to [?, 28, 28, 1]")
  void in13() {
    assertEquals("[-1, 28, 28, 1]", shape(net.xImage.shape()));
  }

  @Test
  @DisplayName("In [14]: y_true is a float placeholder [?, 10] named 'y_true'")
  void in14() {
    assertEquals("[-1, 10]", shape(net.yTrue.shape()));
    assertEquals("y_true", net.yTrue.op().name());
  }

  @Test
  @DisplayName("In [15]: y_true_cls is the argmax of y_true: each one-hot row's class number")
  void in15() {
    try (Result r = runOnTestImages(50, net.yTrueCls)) {
      long[] classes = Tensors.longs((TInt64) r.get(0));
      assertEquals(50, classes.length);
      for (int i = 0; i < 50; i++) {
        assertEquals(split.test().label(i), classes[i], "image " + i);
      }
    }
  }

  @Test
  @DisplayName("In [16]: layer_conv1 and weights_conv1 come from new_conv_layer on x_image")
  void in16() {
    assertTrue(net.trainableVariables.contains(net.weightsConv1));
    assertEquals(
        net.trainableVariables.get(0), net.weightsConv1, "the first variable the graph creates");
  }

  @Test
  @DisplayName("In [17]: layer_conv1 has shape (?, 14, 14, 16)")
  void in17() {
    assertEquals("[-1, 14, 14, 16]", shape(net.layerConv1.shape()));
  }

  @Test
  @DisplayName("In [18]: layer_conv2 takes the 16 channels of layer_conv1 as input")
  void in18() {
    assertEquals(16, net.weightsConv2.shape().size(2));
    assertEquals(net.trainableVariables.get(2), net.weightsConv2);
  }

  @Test
  @DisplayName("In [19]: layer_conv2 has shape (?, 7, 7, 36)")
  void in19() {
    assertEquals("[-1, 7, 7, 36]", shape(net.layerConv2.shape()));
  }

  @Test
  @DisplayName(
      "In [20]: flatten_layer(layer_conv2) keeps every value of layer_conv2, in the same order")
  void in20() {
    float[] image = split.test().image(3);
    float[] conv2 = net.evaluate(net.layerConv2, image, 1);
    float[] flat = net.evaluate(net.layerFlat, image, 1);
    assertArrayEquals(conv2, flat, 0f);
  }

  @Test
  @DisplayName("In [21]: layer_flat has shape (?, 1764)")
  void in21() {
    assertEquals("[-1, 1764]", shape(net.layerFlat.shape()));
  }

  @Test
  @DisplayName("In [22]: num_features is 1764 = 7 x 7 x 36")
  void in22() {
    assertEquals(1764, net.numFeatures);
  }

  @Test
  @DisplayName("In [23]: layer_fc1 is a ReLU layer: no negative outputs")
  void in23() {
    net.initialize();
    float[] values = net.evaluate(net.layerFc1, split.test().images(ImageSet.range(0, 8)), 8);
    for (float v : values) {
      assertTrue(v >= 0);
    }
  }

  @Test
  @DisplayName("In [24]: layer_fc1 has shape (?, 128)")
  void in24() {
    assertEquals("[-1, 128]", shape(net.layerFc1.shape()));
  }

  @Test
  @DisplayName("In [25]: layer_fc2 has no ReLU: its logits can be negative")
  void in25() {
    net.initialize();
    float[] logits = net.evaluate(net.layerFc2, split.test().images(ImageSet.range(0, 32)), 32);
    assertTrue(min(logits) < 0, "min logit " + min(logits));
  }

  @Test
  @DisplayName("In [26]: layer_fc2 has shape (?, 10)")
  void in26() {
    assertEquals("[-1, 10]", shape(net.layerFc2.shape()));
  }

  @Test
  @DisplayName("In [27]: y_pred is the softmax of layer_fc2: each row is positive and sums to 1")
  void in27() {
    net.initialize();
    float[] images = split.test().images(ImageSet.range(0, 4));
    float[] logits = net.evaluate(net.layerFc2, images, 4);
    float[] probabilities = net.evaluate(net.yPred, images, 4);
    for (int row = 0; row < 4; row++) {
      double total = 0;
      for (int c = 0; c < 10; c++) {
        total += Math.exp(logits[row * 10 + c]);
      }
      for (int c = 0; c < 10; c++) {
        assertEquals(Math.exp(logits[row * 10 + c]) / total, probabilities[row * 10 + c], 1e-6);
      }
    }
  }

  @Test
  @DisplayName("In [28]: y_pred_cls is the index of the largest probability")
  void in28() {
    net.initialize();
    float[] images = split.test().images(ImageSet.range(0, 16));
    float[] probabilities = net.evaluate(net.yPred, images, 16);
    long[] classes = net.predictClasses(images, 16);
    for (int row = 0; row < 16; row++) {
      int best = 0;
      for (int c = 1; c < 10; c++) {
        if (probabilities[row * 10 + c] > probabilities[row * 10 + best]) {
          best = c;
        }
      }
      assertEquals(best, classes[row]);
    }
  }

  @Test
  @DisplayName("In [29]: cross_entropy is -sum(y_true * log(softmax)) per image")
  void in29() {
    net.initialize();
    int[] idx = ImageSet.range(0, 8);
    float[] images = split.test().images(idx);
    float[] labels = split.test().oneHot(idx);
    float[] probabilities = net.evaluate(net.yPred, images, 8);
    double expected = 0;
    for (int row = 0; row < 8; row++) {
      expected += -Math.log(probabilities[row * 10 + split.test().label(row)]);
    }
    // In [30] averages it: the cost.
    assertEquals(expected / 8, net.cost(images, labels, 8), 1e-4);
  }

  @Test
  @DisplayName("In [30]: cost is a scalar, the mean of the images' cross-entropies")
  void in30() {
    net.initialize();
    try (Result r = runOnTestImages(20, net.crossEntropy, net.cost)) {
      float[] perImage = Tensors.floats((TFloat32) r.get(0));
      assertEquals(20, perImage.length);
      assertEquals(0, r.get(1).shape().numDimensions(), "a scalar");
      assertEquals(sum(perImage) / 20, ((TFloat32) r.get(1)).getFloat(), 1e-5);
    }
  }

  /**
   * The session's values of {@code fetches} with the first {@code n} test images and labels fed.
   */
  private Result runOnTestImages(int n, Operand<?>... fetches) {
    int[] idx = ImageSet.range(0, n);
    try (TFloat32 xs = Tensors.images(split.test().images(idx), n);
        TFloat32 ys = Tensors.matrix(split.test().oneHot(idx), n, ModelConfig.NUM_CLASSES)) {
      Session.Runner runner = net.session.runner().feed(net.x, xs).feed(net.yTrue, ys);
      for (Operand<?> fetch : fetches) {
        runner.fetch(fetch);
      }
      return runner.run();
    }
  }

  @Test
  @DisplayName("In [31]: one optimizer step changes every variable")
  void in31() {
    try (ConvNet own = new ConvNet(net.config, SEED)) {
      own.initialize();
      List<float[]> before = new ArrayList<>();
      for (Variable<TFloat32> v : own.trainableVariables) {
        before.add(own.valueOf(v));
      }
      int[] idx = ImageSet.range(0, 64);
      TrainingStep.notebook(own)
          .run(
              new StepRunner.Batch(split.train().images(idx), split.train().oneHot(idx), 64),
              1e-3f,
              null);
      for (int i = 0; i < before.size(); i++) {
        assertFalse(
            Arrays.equals(before.get(i), own.valueOf(own.trainableVariables.get(i))),
            "variable " + i + " did not move");
      }
      assertEquals(8, own.trainableVariables.size(), "weights and biases of four layers");
    }
  }

  @Test
  @DisplayName("In [32]: correct_prediction is true exactly where y_pred_cls equals y_true_cls")
  void in32() {
    net.initialize();
    int n = 200;
    long[] predicted = net.predictClasses(split.test().images(ImageSet.range(0, n)), n);
    try (Result r = runOnTestImages(n, net.correctPrediction)) {
      boolean[] correct = new boolean[n];
      ((TBool) r.get(0)).scalars().forEachIndexed((at, b) -> correct[(int) at[0]] = b.getBoolean());
      int right = 0;
      for (int i = 0; i < n; i++) {
        assertEquals(predicted[i] == split.test().label(i), correct[i], "image " + i);
        right += correct[i] ? 1 : 0;
      }
      assertTrue(right > 0 && right < n, "both outcomes occur, " + right + " of " + n);
    }
  }

  @Test
  @DisplayName("In [33]: accuracy is the mean of correct_prediction")
  void in33() {
    net.initialize();
    int[] idx = ImageSet.range(0, 100);
    float[] images = split.test().images(idx);
    long[] classes = net.predictClasses(images, 100);
    int correct = 0;
    for (int i = 0; i < 100; i++) {
      correct += classes[i] == split.test().label(i) ? 1 : 0;
    }
    assertEquals(correct / 100f, net.accuracy(images, split.test().oneHot(idx), 100), 1e-6);
  }

  @Test
  @DisplayName(
      "In [34]: the session runs the graph: the cost it gives is the mean of -log y_pred[label]")
  void in34() {
    int[] idx = ImageSet.range(0, 16);
    float[] images = split.test().images(idx);
    float cost = net.cost(images, split.test().oneHot(idx), 16);
    float[] yPred = net.evaluate(net.yPred, images, 16);
    double expected = 0;
    for (int i = 0; i < 16; i++) {
      expected -= Math.log(yPred[i * 10 + split.test().label(idx[i])]) / 16;
    }
    // Softmax and its log each round a few times (an exp, a sum of ten, a division, a log), and
    // the mean sums 16: a few dozen roundings of the cost's size.
    assertEquals(expected, cost, 64 * Rounding.UNIT * (1 + expected));
  }

  @Test
  @DisplayName(
      "In [35]: initializing gives seeded weights: the same seed the same ones, another seed others")
  void in35() {
    try (ConvNet first = new ConvNet(net.config, SEED);
        ConvNet same = new ConvNet(net.config, SEED);
        ConvNet other = new ConvNet(net.config, 7)) {
      first.initialize();
      same.initialize();
      other.initialize();
      assertArrayEquals(first.valueOf(first.weightsConv1), same.valueOf(same.weightsConv1));
      assertArrayEquals(first.valueOf(first.weightsConv2), same.valueOf(same.weightsConv2));
      assertFalse(
          Arrays.equals(first.valueOf(first.weightsConv1), other.valueOf(other.weightsConv1)));
    }
  }

  // --- Cells 36-47: training and evaluation ----------------------------------------------------

  @Test
  @DisplayName(
      "In [36]: train_batch_size 64: an epoch's batches hold 64 images each but the last, every"
          + " training image once")
  void in36() {
    int batchSize = TrainConfig.NOTEBOOK.batchSize();
    int images = split.train().size();
    Trainer notebook = new Trainer(net, split, TrainConfig.NOTEBOOK, line -> {});
    BatchSource source = new BatchSource(images, batchSize, SEED);
    int[] seen = new int[images];
    for (int b = 0; b < notebook.iterationsPerEpoch(); b++) {
      int[] batch = source.next();
      boolean last = b == notebook.iterationsPerEpoch() - 1;
      assertTrue(last ? batch.length <= batchSize : batch.length == batchSize, "batch " + b);
      for (int i : batch) {
        seen[i]++;
      }
    }
    for (int i = 0; i < images; i++) {
      assertEquals(1, seen[i], "training image " + i + " in one epoch");
    }
  }

  @Test
  @DisplayName(
      "In [37]: random_batch, fixed: a seeded shuffled epoch is a permutation of the 55,000 training indices")
  void in37() {
    BatchSource source = new BatchSource(55_000, 64, 42);
    int[] order = source.epochOrder(0);
    int[] sorted = order.clone();
    Arrays.sort(sorted);
    assertArrayEquals(ImageSet.range(0, 55_000), sorted);
    assertArrayEquals(
        order, new BatchSource(55_000, 64, 42).epochOrder(0), "same seed, same order");
    assertFalse(Arrays.equals(order, ImageSet.range(0, 55_000)), "shuffled");
  }

  @Test
  @DisplayName("In [38]: random_batch yields ceil(55000 / 64) = 860 batches an epoch")
  void in38() {
    assertEquals(860, new BatchSource(55_000, 64, 0).batchesPerEpoch());
  }

  @Test
  @DisplayName("In [39]: optimize stops with a clear message when the cost diverges")
  void in39() {
    try (ConvNet wild = new ConvNet(net.config, SEED)) {
      wild.initialize();
      Trainer t = new Trainer(wild, split, Configs.constant(64, 1e9f, SEED), line -> {});
      RuntimeException e = assertThrows(RuntimeException.class, () -> t.optimize(300));
      assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }
  }

  @Test
  @DisplayName("In [40]: plot_example_errors takes the misclassified test images, in index order")
  void in40() {
    Evaluation e = trainer.evaluate(split.test());
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < e.total(); i++) {
      if (e.predicted()[i] != e.trueClasses()[i]) {
        expected.add(i);
      }
    }
    assertTrue(expected.size() > 9, "enough errors to choose nine from");
    assertEquals(expected, e.incorrect(), "x_test[incorrect]: every error, first index first");
  }

  @Test
  @DisplayName(
      "In [41]: the confusion matrix sums to the test count, its diagonal to the correct count")
  void in41() {
    Evaluation e = trainer.printTestAccuracy(false, true);
    int total = 0;
    int diagonal = 0;
    int[][] cm = e.confusionMatrix();
    for (int r = 0; r < 10; r++) {
      for (int c = 0; c < 10; c++) {
        total += cm[r][c];
      }
      diagonal += cm[r][r];
    }
    assertEquals(e.total(), total);
    assertEquals(e.correct(), diagonal);
    assertTrue(printed.contains("Confusion Matrix:"));
  }

  @Test
  @DisplayName(
      "In [42]: print_test_accuracy classifies the test set in batches of 256, the same as one by one")
  void in42() {
    net.initialize();
    Evaluation batched = trainer.evaluate(split.test());
    List<Integer> batches = new ArrayList<>();
    Evaluation.classify(
        split.test(),
        Evaluation.TEST_BATCH_SIZE,
        (images, n) -> {
          batches.add(n);
          return net.predictClasses(images, n);
        });
    assertEquals(List.of(256, 256, 256, 232), batches, "1,000 test images, 256 at a time");
    long[] single = new long[300];
    for (int i = 0; i < 300; i++) {
      single[i] = net.predictClasses(split.test().image(i), 1)[0];
    }
    // A batch of 256 and a batch of one may run different matrix kernels, which add in different
    // orders: an image may change class only if its two largest logits are within rounding.
    float[] logits = net.evaluate(net.layerFc2, split.test().images(ImageSet.range(0, 300)), 300);
    double logitError =
        Rounding.twoComputations(Rounding.forwardTerms(net.config), Rounding.largest(logits));
    int differ = 0;
    for (int i = 0; i < 300; i++) {
      differ += single[i] == batched.predicted()[i] ? 0 : 1;
    }
    assertTrue(
        differ <= Rounding.ambiguousRows(logits, 300, ModelConfig.NUM_CLASSES, 2 * logitError),
        differ + " of 300 images classified differently one by one");
  }

  /**
   * In [43]-[46]: the notebook's sequence is the point here (accuracy before, 100 iterations,
   * accuracy after, more iterations), so these cells share one network of their own. Each step is
   * taken once, when the first test that needs it asks, so each test passes alone and in any order.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("In [43]-[46]: training, step by step")
  class Training {
    private final List<String> lines = new ArrayList<>();
    private ConvNet own;
    private Trainer sequence;
    private Evaluation beforeTraining;
    private String beforeLine;
    private List<String> linesOf100;
    private Evaluation after100;
    private float costAt0;
    private float costAt300;
    private List<String> linesOf200;
    private final int[] costImages = ImageSet.range(0, 500);

    @BeforeAll
    void newNetwork() {
      own = new ConvNet(ModelConfig.notebook(), SEED);
      own.initialize();
      sequence = new Trainer(own, split, Configs.constant(64, 1e-3f, SEED), lines::add);
    }

    @AfterAll
    void closeIt() {
      own.close();
    }

    private Evaluation beforeTraining() {
      if (beforeTraining == null) {
        beforeTraining = sequence.printTestAccuracy(false, false);
        beforeLine = lines.get(lines.size() - 1);
        costAt0 = validationCost();
      }
      return beforeTraining;
    }

    private Evaluation after100() {
      if (after100 == null) {
        beforeTraining();
        lines.clear();
        sequence.optimize(100);
        linesOf100 = List.copyOf(lines);
        after100 = sequence.printTestAccuracy(false, false);
      }
      return after100;
    }

    private float validationCost() {
      return own.cost(
          split.validation().images(costImages), split.validation().oneHot(costImages), 500);
    }

    private void after300() {
      if (linesOf200 == null) {
        after100();
        lines.clear();
        sequence.optimize(200);
        linesOf200 = List.copyOf(lines);
        costAt300 = validationCost();
      }
    }

    @Test
    @DisplayName("In [43]: before training, accuracy is near chance (10%)")
    void in43() {
      assertEquals(0.10, beforeTraining().accuracy(), 0.08);
      assertTrue(
          beforeLine.matches("Accuracy on Test-Set: \\d+\\.\\d% \\(\\d+ / 1000\\)"), beforeLine);
    }

    @Test
    @DisplayName(
        "In [44]: optimize(100) prints 'Optimization Iteration:      1, ...' and the time used")
    void in44() {
      after100();
      assertTrue(
          linesOf100
              .get(0)
              .matches("Optimization Iteration:      1, Training Accuracy: [ \\d]{2}\\d\\.\\d%"),
          linesOf100.get(0));
      assertTrue(linesOf100.get(1).matches("Time usage: \\d+:\\d\\d:\\d\\d"), linesOf100.get(1));
    }

    @Test
    @DisplayName("In [45]: after 100 iterations the accuracy has risen")
    void in45() {
      assertTrue(
          after100().accuracy() > beforeTraining().accuracy() + 0.2,
          after100().accuracy() + " vs " + beforeTraining().accuracy());
    }

    @Test
    @DisplayName(
        "In [46]: optimize continues the iteration count, and the cost falls over 300 steps")
    void in46() {
      after300();
      assertEquals(300, sequence.totalIterations());
      assertTrue(
          linesOf200.get(0).startsWith("Optimization Iteration:    101,"), linesOf200.get(0));
      assertTrue(costAt300 < 0.3 * costAt0, costAt0 + " -> " + costAt300);
    }
  }

  @Test
  @Tag("realdata")
  @DisplayName(
      "In [47]: on the real data the default recipe reaches at least 90% test accuracy, as metrics.json records")
  void in47(@TempDir Path runs) {
    TrainingRun.Request request =
        TrainingRun.Request.fresh(ModelConfig.notebook(), TrainConfig.DEFAULT, runs.resolve("run"))
            .withFigures(false);
    RunResult result = TrainingRun.run(request, DataSource.fashionMnist(null), line -> {});
    assertTrue(result.testAccuracy() >= 0.90, "test accuracy " + result.testAccuracy());
    RunRecord.Results metrics = RunRecord.read(result.runDir()).results();
    assertEquals(result.testAccuracy(), metrics.testAccuracy());
    assertEquals(result.iterations(), metrics.iterations());
    assertTrue(metrics.validationAccuracy() > 0.88);
  }

  // --- Cells 48-60: looking inside ---------------------------------------------------------------

  @Test
  @DisplayName(
      "In [48]: plot_conv_weights: filter i's tile holds w[:, :, input_channel, i], as the session reads them")
  void in48() {
    ImageGrid grid =
        Figures.convWeightsGrid(
            new NamedTensors(net.session).fetch(ConvNet.WEIGHTS_CONV1), "weights_conv1", 0);
    assertEquals(net.config.numFilters1(), grid.tiles().size());
    for (int f = 0; f < grid.tiles().size(); f++) {
      assertArrayEquals(
          filterSlice(net.weightsConv1, 0, f), grid.tiles().get(f).values(), "filter " + f);
    }
  }

  /** {@code weights[:, :, channel, filter]} as TensorFlow's own Slice op cuts it, row-major. */
  private float[] filterSlice(Variable<TFloat32> weights, int channel, int filter) {
    long[] dims = weights.shape().asArray();
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> all = tf.constant(weights.shape(), DataBuffers.of(net.valueOf(weights)));
      Operand<TFloat32> cut =
          tf.slice(
              all,
              tf.constant(new long[] {0, 0, channel, filter}),
              tf.constant(new long[] {dims[0], dims[1], 1, 1}));
      try (Result result = session.runner().fetch(cut).run()) {
        return Tensors.floats((TFloat32) result.get(0));
      }
    }
  }

  @Test
  @DisplayName(
      "In [49]: plot_conv_layer feeds one image: layer_conv1 gives 14x14x16 non-negative values")
  void in49() {
    float[] values = net.evaluate(net.layerConv1, split.test().image(0), 1);
    assertEquals(14 * 14 * 16, values.length);
    assertTrue(min(values) >= 0);
  }

  @Test
  @DisplayName(
      "In [50]: plot_image draws the image's 28x28 pixels as grey squares, 0 white, 1 black")
  void in50() throws IOException {
    for (int[] drawn : new int[][] {{1, Figures.IMAGE1_INDEX}, {2, Figures.IMAGE2_INDEX}}) {
      var png = ImageIO.read(figure("plot_image_" + drawn[0] + ".png").toFile());
      float[] image = split.test().image(drawn[1]);
      int side = ModelConfig.IMG_SIZE;
      // The image's frame, a grey line one pixel outside it, gives its place and square size.
      int frame = new java.awt.Color(128, 128, 128).getRGB();
      int top = -1;
      int left = -1;
      int run = 0;
      for (int y = 0; y < png.getHeight() && top < 0; y++) {
        for (int x = 0; x < png.getWidth(); x++) {
          run = png.getRGB(x, y) == frame ? run + 1 : 0;
          if (run > side && (x + 1 == png.getWidth() || png.getRGB(x + 1, y) != frame)) {
            top = y + 1;
            left = x - run + 2;
            break;
          }
        }
        run = top < 0 ? 0 : run;
      }
      assertTrue(top > 0, "a framed image in plot_image_" + drawn[0]);
      int square = (run - 2) / side;
      assertEquals(run - 2, square * side, "the frame holds 28 equal squares");
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          int grey = 255 - (int) Math.round(255 * (double) image[y * side + x]);
          int rgb = png.getRGB(left + x * square + square / 2, top + y * square + square / 2);
          assertEquals(
              new java.awt.Color(grey, grey, grey).getRGB(),
              rgb,
              "image " + drawn[1] + " pixel (" + y + ", " + x + ")");
        }
      }
    }
  }

  @Test
  @Tag("realdata")
  @DisplayName("In [51]: image1 is test image 0, an Ankle boot")
  void in51() {
    assertEquals("Ankle boot", FashionMnist.LABELS.get(real().test().label(0)));
  }

  @Test
  @Tag("realdata")
  @DisplayName("In [52]: image2 is test image 13, a Dress: another class than image1")
  void in52() {
    assertEquals("Dress", FashionMnist.LABELS.get(real().test().label(13)));
    assertNotEquals(real().test().label(0), real().test().label(13));
  }

  private Path figures;

  /** The figures of In [48]-[59], drawn once from the small network. */
  private Path figure(String name) {
    if (figures == null) {
      try {
        figures = Files.createTempDirectory("guide-figures");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Evaluation e = trainer.evaluate(split.test());
      Figures.drawAll(
          figures,
          new NamedTensors(net.session),
          new Figures.Inputs(split.train(), split.test(), e, trainer.history()));
    }
    return figures.resolve(name);
  }

  private static int[] pixels(Path file) {
    try {
      return pixels(ImageIO.read(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int[] pixels(java.awt.image.BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  private static int pngWidth(Path file) {
    try {
      return ImageIO.read(file.toFile()).getWidth();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName(
      "In [53]: plot_conv_weights(weights_conv1) draws 16 filters in a 4x4 grid, each pixel a weight's colour")
  void in53() {
    assertDrawsTheWeights(net.weightsConv1, ConvNet.WEIGHTS_CONV1, 0, "conv_weights1.png", 4);
  }

  /**
   * The figure {@code file} is the grid of {@code weights}' input channel {@code channel} in {@code
   * columns} columns, and the centre of each value's square has the colour of that weight on the
   * shared red-white-blue scale: the weights as the session holds them, not other numbers.
   */
  private void assertDrawsTheWeights(
      Variable<TFloat32> weights, String name, int channel, String file, int columns) {
    long[] dims = weights.shape().asArray(); // [k, k, inputs, filters]
    int k = (int) dims[0];
    int inputs = (int) dims[2];
    int filters = (int) dims[3];
    float[] w = net.valueOf(weights);
    double limit = 0;
    for (float v : w) {
      limit = Math.max(limit, Math.abs(v));
    }
    var colour = ImageGrid.seismic(limit);
    float[][] slices = new float[filters][];
    for (int f = 0; f < filters; f++) {
      slices[f] = filterSlice(weights, channel, f);
    }
    ImageGrid grid =
        Figures.convWeightsGrid(new NamedTensors(net.session).fetch(name), name, channel);
    assertEquals(columns, grid.columns());
    var drawn = grid.render();
    assertArrayEquals(pixels(figure(file)), pixels(drawn), "the figure file is this grid");
    int half = grid.pixelSize() / 2;
    for (int f = 0; f < filters; f++) {
      var origin = grid.tileOrigin(f);
      for (int y = 0; y < k; y++) {
        for (int x = 0; x < k; x++) {
          float value = slices[f][y * k + x];
          int rgb =
              drawn.getRGB(
                  origin.x + x * grid.pixelSize() + half, origin.y + y * grid.pixelSize() + half);
          assertEquals(
              colour.apply(value).getRGB(), rgb, "filter " + f + " at (" + y + ", " + x + ")");
        }
      }
    }
  }

  @Test
  @DisplayName(
      "In [54]: plot_conv_layer(layer_conv1, image1) draws 16 outputs, in fewer columns than 36")
  void in54() {
    assertTrue(
        pngWidth(figure("conv_layer1_image1.png")) < pngWidth(figure("conv_layer2_image1.png")),
        "4 columns against 6");
  }

  @Test
  @DisplayName("In [55]: plot_conv_layer(layer_conv1, image2): same layout, other outputs")
  void in55() {
    assertEquals(
        pngWidth(figure("conv_layer1_image1.png")), pngWidth(figure("conv_layer1_image2.png")));
    assertFalse(
        Arrays.equals(
            pixels(figure("conv_layer1_image1.png")), pixels(figure("conv_layer1_image2.png"))));
  }

  @Test
  @DisplayName(
      "In [56]: plot_conv_weights(weights_conv2, input_channel=0) draws channel 0 of each of the 36 filters")
  void in56() {
    assertDrawsTheWeights(
        net.weightsConv2, ConvNet.WEIGHTS_CONV2, 0, "conv_weights2_channel0.png", 6);
  }

  @Test
  @DisplayName(
      "In [57]: plot_conv_weights(weights_conv2, input_channel=1) draws 36 filters in a 6x6 grid")
  void in57() {
    assertDrawsTheWeights(
        net.weightsConv2, ConvNet.WEIGHTS_CONV2, 1, "conv_weights2_channel1.png", 6);
    assertFalse(
        Arrays.equals(
            pixels(figure("conv_weights2_channel0.png")),
            pixels(figure("conv_weights2_channel1.png"))),
        "another input channel, other weights");
  }

  @Test
  @DisplayName("In [58]: layer_conv2 on one image gives 7x7x36 non-negative values")
  void in58() {
    float[] values = net.evaluate(net.layerConv2, split.test().image(0), 1);
    assertEquals(7 * 7 * 36, values.length);
    assertTrue(min(values) >= 0);
  }

  @Test
  @DisplayName("In [59]: plot_conv_layer(layer_conv2, image2) draws 36 outputs of 7x7")
  void in59() {
    assertTrue(
        pngWidth(figure("conv_layer2_image2.png")) > pngWidth(figure("conv_layer1_image2.png")),
        "6 columns against 4");
  }

  @Test
  @DisplayName("In [60]: closing the session releases the graph")
  void in60() {
    ConvNet temporary = new ConvNet(net.config, SEED);
    temporary.close();
    assertThrows(
        IllegalStateException.class, () -> temporary.session.runner().fetch(temporary.cost).run());
  }

  // --- The tutorial's exercises: what can be proved is proved here ------------------------------

  /**
   * The exercises the tutorial leaves to the reader; {@code scripts/exercises} measures the rest
   * (README "Exercises, answered").
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("The tutorial's exercises")
  class Exercises {
    private final ModelConfig notebook = ModelConfig.notebook();

    /** Layer outputs {@code [n, side, side, channels]} of random values around zero. */
    private float[] randomLayer(int n, int side, int channels, long seed) {
      Random random = new Random(seed);
      float[] v = new float[n * side * side * channels];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) random.nextGaussian();
      }
      return v;
    }

    /**
     * {@code activation} and {@code pooling} on {@code input} in both orders, as ConvNet builds
     * them.
     */
    private float[][] bothOrders(float[] input, int side, Activation activation, Pooling pooling) {
      try (Graph g = new Graph();
          Session session = new Session(g)) {
        Ops tf = Ops.create(g);
        Layers layers = new Layers(tf, 1);
        Placeholder<TFloat32> x =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, 2)));
        Operand<TFloat32> activateFirst = layers.pool(layers.activate(x, activation), pooling);
        Operand<TFloat32> poolFirst = layers.activate(layers.pool(x, pooling), activation);
        try (TFloat32 in =
                TFloat32.tensorOf(
                    Shape.of(input.length / (side * side * 2), side, side, 2),
                    DataBuffers.of(input));
            Result r = session.runner().feed(x, in).fetch(activateFirst).fetch(poolFirst).run()) {
          return new float[][] {
            Tensors.floats((TFloat32) r.get(0)), Tensors.floats((TFloat32) r.get(1))
          };
        }
      }
    }

    @Test
    @DisplayName(
        "Exercise 1: runs with one seed repeat bit for bit; another seed gives other weights")
    void exercise01() {
      float[][] a = trainAndRead(42);
      float[][] b = trainAndRead(42);
      float[][] c = trainAndRead(7);
      for (int i = 0; i < a.length; i++) {
        assertArrayEquals(a[i], b[i], 0f, "variable " + i);
      }
      assertFalse(Arrays.equals(a[0], c[0]), "another seed, other weights");
    }

    private float[][] trainAndRead(long seed) {
      try (ConvNet n = new ConvNet(notebook, seed)) {
        n.initialize();
        new Trainer(n, split, Configs.constant(64, 1e-3f, seed), line -> {}).optimize(20);
        return n.trainableVariables.stream().map(n::valueOf).toArray(float[][]::new);
      }
    }

    @Test
    @DisplayName("Exercise 5: dropout changes training steps, never evaluation or serving")
    void exercise05() {
      ModelConfig dropping = notebook.withDropout(0.5f);
      try (ConvNet n = new ConvNet(dropping, 3);
          ConvNet plain = new ConvNet(notebook, 3)) {
        n.initialize();
        plain.initialize();
        float[] images = split.test().images(ImageSet.range(0, 50));
        float[] once = n.evaluate(n.yPred, images, 50);
        assertArrayEquals(once, n.evaluate(n.yPred, images, 50), 0f, "evaluation is deterministic");
        assertArrayEquals(
            plain.evaluate(plain.yPred, images, 50),
            once,
            0f,
            "and equals the same network without dropout (same seed, same weights)");
        int[] batch = ImageSet.range(0, 64);
        float[] x = split.train().images(batch);
        float[] y = split.train().oneHot(batch);
        StepRunner.Batch both = new StepRunner.Batch(x, y, 64);
        float withDropout = TrainingStep.notebook(n).run(both, 0f, null).cost();
        float without = TrainingStep.notebook(plain).run(both, 0f, null).cost();
        assertNotEquals(without, withDropout, "a training step drops half of fc1");
      }
    }

    @Test
    @DisplayName("Exercise 6: relu(max_pool(x)) == max_pool(relu(x)), exactly")
    void exercise06Relu() {
      float[] x = randomLayer(8, 28, 2, 1);
      float[][] orders = bothOrders(x, 28, Activation.RELU, Pooling.MAX);
      assertArrayEquals(orders[0], orders[1], 0f);
    }

    @Test
    @DisplayName("Exercise 6: sigmoid commutes with max-pooling too, since it is monotonic")
    void exercise06Sigmoid() {
      float[][] orders = bothOrders(randomLayer(8, 28, 2, 2), 28, Activation.SIGMOID, Pooling.MAX);
      assertArrayEquals(orders[0], orders[1], 0f);
    }

    @Test
    @DisplayName("Exercise 6: but relu(avg_pool(x)) != avg_pool(relu(x)): a window of -1, 1, 1, 1")
    void exercise06Average() {
      float[] window = new float[28 * 28 * 2];
      window[0] = -1; // (0, 0), channel 0
      window[2] = 1; // (0, 1)
      window[28 * 2] = 1; // (1, 0)
      window[28 * 2 + 2] = 1; // (1, 1)
      float[][] orders = bothOrders(window, 28, Activation.RELU, Pooling.AVG);
      assertEquals(0.75f, orders[0][0], 1e-7f, "relu first: (0 + 1 + 1 + 1) / 4");
      assertEquals(0.5f, orders[1][0], 1e-7f, "pool first: relu((-1 + 1 + 1 + 1) / 4)");
    }

    /** Values the activation ops compute for one image, summed over the graph's Relu ops. */
    private long reluValues(ModelConfig config) {
      try (ConvNet n = new ConvNet(config, 1)) {
        long total = 0;
        for (var it = n.graph.operations(); it.hasNext(); ) {
          var op = it.next();
          if (op.type().equals("Relu")) {
            Shape perBatch = op.output(0).shape();
            long perImage = 1;
            for (int d = 1; d < perBatch.numDimensions(); d++) {
              perImage *= perBatch.size(d); // dimension 0 is the batch, unknown here
            }
            total += perImage;
          }
        }
        return total;
      }
    }

    @Test
    @DisplayName(
        "Exercise 6: pooling first evaluates 4x fewer ReLUs in the convolutions (19,728 -> 5,028)")
    void exercise06Count() {
      ModelConfig poolFirst = notebook.withPoolFirst(true);
      assertEquals(28 * 28 * 16 + 14 * 14 * 36 + 128, reluValues(notebook));
      assertEquals(14 * 14 * 16 + 7 * 7 * 36 + 128, reluValues(poolFirst));
    }

    @Test
    @DisplayName("Exercise 7: a third convolutional layer halves again: 4x4x36, 576 features")
    void exercise07() {
      try (ConvNet n = new ConvNet(notebook.withConvLayers(3).withFcLayers(2), 1)) {
        assertEquals("[-1, 4, 4, 36]", shape(n.layerConvLast.shape()));
        assertEquals(576, n.numFeatures);
      }
    }

    @Test
    @DisplayName(
        "Exercise 8: the notebook's network has 242,062 parameters, counted layer by layer")
    void exercise08() {
      try (ConvNet n = new ConvNet(notebook, 1)) {
        long conv1 = 5 * 5 * 1 * 16 + 16;
        long conv2 = 5 * 5 * 16 * 36 + 36;
        long fc1 = 1764 * 128 + 128;
        long fc2 = 128 * 10 + 10;
        assertEquals(conv1 + conv2 + fc1 + fc2, n.parameterCount());
        assertEquals(242_062, n.parameterCount());
      }
    }

    @Test
    @DisplayName("Exercise 9: with a ReLU on the last layer no logit is negative")
    void exercise09() {
      try (ConvNet n = new ConvNet(notebook.withReluLast(true), 1)) {
        n.initialize();
        float[] logits = n.evaluate(n.layerFc2, split.test().images(ImageSet.range(0, 100)), 100);
        assertTrue(min(logits) >= 0);
      }
    }

    @Test
    @DisplayName("Exercise 10: without pooling layer_conv2 stays 28x28: 16 times the features")
    void exercise10() {
      try (ConvNet n = new ConvNet(notebook.withPooling(Pooling.NONE), 1)) {
        assertEquals("[-1, 28, 28, 36]", shape(n.layerConv2.shape()));
        assertEquals(16 * 1764, n.numFeatures);
      }
    }

    @Test
    @DisplayName("Exercise 11: a 2x2 stride halves like pooling, with no pooling op in the graph")
    void exercise11() {
      try (ConvNet n = new ConvNet(notebook.withPooling(Pooling.STRIDE), 1)) {
        assertEquals("[-1, 7, 7, 36]", shape(n.layerConv2.shape()));
        for (var it = n.graph.operations(); it.hasNext(); ) {
          assertFalse(it.next().type().contains("Pool"));
        }
      }
    }
  }

  private static float min(float[] values) {
    float m = Float.POSITIVE_INFINITY;
    for (float v : values) {
      m = Math.min(m, v);
    }
    return m;
  }

  private static float sum(float[] values) {
    float s = 0;
    for (float v : values) {
      s += v;
    }
    return s;
  }
}
