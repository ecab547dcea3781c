package dev.convnet.model;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The notebook's network as one TensorFlow graph: cells In [12]-[35] in order, under the same names
 * (in camelCase), and the session that runs them. It knows nothing of files, figures or flags.
 *
 * <p>In [16]-[25] are the notebook's five helper calls ({@link #notebookLayers}); the exercises'
 * other networks are built by {@link NetworkVariants}. In [31] is the notebook's {@code optimizer}:
 * Adam's minimize over {@code cost}, gradients by TensorFlow's addGradients. A faster way to
 * compute the same step on a CPU lives with the trainer ({@code train.FastCpuStep}), built onto
 * this graph's placeholders, variables and Adam state.
 */
public final class ConvNet implements AutoCloseable {
  /** In [12]: name of the input placeholder, as in the notebook and the exported signature. */
  public static final String X_NAME = "x";

  /** In [14]: name of the labels placeholder. */
  public static final String Y_TRUE_NAME = "y_true";

  /** The learning rate each step is fed (schedules change it from step to step). */
  public static final String LEARNING_RATE_NAME = "learning_rate";

  /** Exercise 5: the dropout rate, 0 unless a training step feeds another. */
  public static final String DROPOUT_RATE_NAME = "dropout_rate";

  /**
   * Names under which the layers and filters the notebook plots (In [53]-[59]) can be fetched, here
   * and in an exported SavedModel alike (identity ops, computed only when fetched).
   */
  public static final String LAYER_CONV1 = "layer_conv1";

  public static final String LAYER_CONV2 = "layer_conv2";
  public static final String WEIGHTS_CONV1 = "weights_conv1";
  public static final String WEIGHTS_CONV2 = "weights_conv2";

  /** What In [16]-[25] build: the convolutional layers, the flat layer, fc1 and the logits. */
  public record Network(
      List<Layers.ConvLayer> conv,
      Layers.FlatLayer flat,
      Operand<TFloat32> layerFc1,
      Operand<TFloat32> layerFc2) {}

  public final ModelConfig config;
  public final Graph graph;
  final Ops tf;

  /** In [12]: the input images, flat, {@code [?, 784]}, pixels in [0, 1]. */
  public final Placeholder<TFloat32> x;

  /** In [13]: the same images as {@code [?, 28, 28, 1]}, as the convolutions want them. */
  public final Operand<TFloat32> xImage;

  /** In [14]: the true classes, one-hot, {@code [?, 10]}. */
  public final Placeholder<TFloat32> yTrue;

  /** In [15]: the true class numbers. */
  public final Operand<TInt64> yTrueCls;

  /** In [16]: first convolutional layer {@code [?, 14, 14, 16]}, filters {@code [5, 5, 1, 16]}. */
  public final Operand<TFloat32> layerConv1;

  public final Variable<TFloat32> weightsConv1;

  /** In [18]: second convolutional layer {@code [?, 7, 7, 36]}, filters {@code [5, 5, 16, 36]}. */
  public final Operand<TFloat32> layerConv2;

  public final Variable<TFloat32> weightsConv2;

  /** Exercise 7: the last convolutional layer (layerConv2 in the notebook's network). */
  public final Operand<TFloat32> layerConvLast;

  /** In [20]: the last convolutional layer flattened to {@code [?, 1764]}, and 1764 itself. */
  public final Operand<TFloat32> layerFlat;

  public final long numFeatures;

  /** In [23]: fully-connected layer of 128 neurons with ReLU. */
  public final Operand<TFloat32> layerFc1;

  /** In [25]: fully-connected layer of 10 outputs, the logits. */
  public final Operand<TFloat32> layerFc2;

  /** In [27]: softmax of the logits: the predicted probability of each class. */
  public final Operand<TFloat32> yPred;

  /** In [28]: the predicted class number. */
  public final Operand<TInt64> yPredCls;

  /** In [29]: cross-entropy of each image (softmax computed inside, from the logits). */
  public final Operand<TFloat32> crossEntropy;

  /** In [30]: the mean cross-entropy, the number training lowers. */
  public final Operand<TFloat32> cost;

  /** The learning rate of the next step (fed by the trainer; the notebook's is 1e-4). */
  public final Placeholder<TFloat32> learningRate;

  /** Exercise 5: the dropout rate after fc1; 0 unless fed, so evaluation never drops. */
  public final Operand<TFloat32> dropoutRate;

  /** Every trainable variable, in the order the layers create them. */
  public final List<Variable<TFloat32>> trainableVariables;

  /** Each layer's weights and biases: conv1, conv2 (and more in the exercises), fc1, fc2. */
  public final List<Layers.LayerVariables> layerVariables;

  /** In [31]: Adam's state (the moments of each variable and the two beta powers). */
  public final AdamOptimizer adam;

  /** In [31]: one Adam step on {@code cost}. */
  public final Op optimizer;

  /** In [31]: the gradient of {@code cost} for each trainable variable, by addGradients. */
  public final List<Operand<TFloat32>> gradients;

  /** In [32]: whether each image's predicted class is its true class. */
  public final Operand<?> correctPrediction;

  /** In [33]: the fraction of images classified correctly. */
  public final Operand<TFloat32> accuracy;

  /** In [34]: the session that runs the graph. */
  public final Session session;

  /** The device the ops are pinned to, such as "/device:CPU:0". */
  public final String device;

  /** How the session spreads its work over the CPU's cores. */
  public final ThreadPolicy threads;

  /** Builds the graph on the CPU, each op spread over every core. */
  public ConvNet(ModelConfig config, long seed) {
    this(config, seed, Device.CPU_NAME, ThreadPolicy.wholeBatch());
  }

  /**
   * Builds the graph with every op pinned to {@code device} (a name from {@link Device#resolve()});
   * on a GPU, ops without a GPU kernel fall back to the CPU. {@code seed} seeds the initial
   * weights; {@code threads} sizes the session's thread pools.
   */
  public ConvNet(ModelConfig config, long seed, String device, ThreadPolicy threads) {
    this.config = config;
    this.device = device;
    this.threads = threads;
    this.graph = new Graph();
    this.tf = Ops.create(graph).withDevice(Device.spec(device));
    Layers layers = new Layers(tf, seed);
    int imgSize = ModelConfig.IMG_SIZE;

    // In [12]-[15]
    x = tf.withName(X_NAME).placeholder(TFloat32.class, shape(ModelConfig.IMG_SIZE_FLAT));
    xImage = tf.reshape(x, tf.constant(new int[] {-1, imgSize, imgSize, ModelConfig.NUM_CHANNELS}));
    yTrue = tf.withName(Y_TRUE_NAME).placeholder(TFloat32.class, shape(config.numClasses()));
    yTrueCls = tf.math.argMax(yTrue, tf.constant(1));

    // In [16]-[26]
    dropoutRate =
        tf.withName(DROPOUT_RATE_NAME).placeholderWithDefault(tf.constant(0f), Shape.scalar());
    Network network = network(layers, xImage, config, dropoutRate);
    layerConv1 = network.conv().get(0).layer();
    weightsConv1 = network.conv().get(0).weights();
    layerConv2 = network.conv().get(1).layer();
    weightsConv2 = network.conv().get(1).weights();
    layerConvLast = lastConv(network);
    layerFlat = network.flat().layer();
    numFeatures = network.flat().numFeatures();
    layerFc1 = network.layerFc1();
    layerFc2 = network.layerFc2();
    nameForFigures(tf, network);

    // In [27]-[30]
    yPred = tf.withName("y_pred").nn.softmax(layerFc2);
    yPredCls = tf.withName("y_pred_cls").math.argMax(yPred, tf.constant(1));
    // One-hot labels on purpose: the sparse variant has no gradient in TensorFlow Java.
    crossEntropy = tf.nn.softmaxCrossEntropyWithLogits(layerFc2, yTrue).loss();
    cost = tf.withName("cost").math.mean(crossEntropy, tf.constant(0));

    // In [31]
    learningRate =
        tf.withName(LEARNING_RATE_NAME)
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    trainableVariables = layers.variables();
    layerVariables = layers.layerVariables();
    adam = new AdamOptimizer(tf, trainableVariables);
    AdamOptimizer.Step minimize = adam.minimize(cost, learningRate);
    optimizer = minimize.op();
    gradients = minimize.gradients();

    // In [32]-[33]
    correctPrediction = tf.math.equal(yPredCls, yTrueCls);
    accuracy =
        tf.withName("accuracy")
            .math
            .mean(tf.dtypes.cast(correctPrediction, TFloat32.class), tf.constant(0));

    // In [34]
    session = new Session(graph, threads.sessionConfig(device.equals(Device.GPU_NAME)));
  }

  /**
   * In [16]-[25] on {@code xImage}, with the variables {@code layers} creates (or shares): the
   * notebook's five helper calls for its network, {@link NetworkVariants} for the exercises'
   * others. {@code dropoutRate} is read by exercise 5's dropout only.
   */
  public static Network network(
      Layers layers, Operand<TFloat32> xImage, ModelConfig config, Operand<TFloat32> dropoutRate) {
    return config.hasNotebookLayers()
        ? notebookLayers(layers, xImage, config)
        : NetworkVariants.network(layers, xImage, config, dropoutRate);
  }

  /** In [16]-[25]: the notebook's network, one helper call a layer, sizes from In [2]. */
  static Network notebookLayers(Layers layers, Operand<TFloat32> xImage, ModelConfig config) {
    Layers.ConvLayer conv1 = // In [16]
        layers.newConvLayer(
            xImage, ModelConfig.NUM_CHANNELS, config.filterSize1(), config.numFilters1(), true);
    Layers.ConvLayer conv2 = // In [18]
        layers.newConvLayer(
            conv1.layer(), config.numFilters1(), config.filterSize2(), config.numFilters2(), true);
    Layers.FlatLayer flat = layers.flattenLayer(conv2.layer()); // In [20]
    Operand<TFloat32> fc1 = // In [23]
        layers.newFcLayer(flat.layer(), flat.numFeatures(), config.fcSize(), true);
    Operand<TFloat32> fc2 = // In [25]
        layers.newFcLayer(fc1, config.fcSize(), config.numClasses(), false);
    return new Network(List.of(conv1, conv2), flat, fc1, fc2);
  }

  /** The layers and filters the figures plot, under names an exported model keeps too. */
  public static void nameForFigures(Ops tf, Network network) {
    tf.withName(LAYER_CONV1).identity(network.conv().get(0).layer());
    tf.withName(LAYER_CONV2).identity(network.conv().get(1).layer());
    tf.withName(WEIGHTS_CONV1).identity(network.conv().get(0).weights());
    tf.withName(WEIGHTS_CONV2).identity(network.conv().get(1).weights());
  }

  private static Operand<TFloat32> lastConv(Network network) {
    return network.conv().get(network.conv().size() - 1).layer();
  }

  private static Placeholder.Options shape(int columns) {
    return Placeholder.shape(Shape.of(-1, columns));
  }

  /** In [35]: gives every variable (and Adam's state) its initial value. */
  public void initialize() {
    session.initialize();
  }

  /** In [31], [30] and [33]: the notebook's step, its cost and its accuracy. */
  public StepRunner.StepOps notebookStep() {
    return new StepRunner.StepOps(optimizer, cost, accuracy);
  }

  /** In [39]: the accuracy of the current weights on a batch (the training-accuracy printout). */
  public float accuracy(float[] xBatch, float[] yBatch, int n) {
    return scalar(accuracy, xBatch, yBatch, n);
  }

  /** The batch's cost under the current weights. */
  public float cost(float[] xBatch, float[] yBatch, int n) {
    return scalar(cost, xBatch, yBatch, n);
  }

  private float scalar(Operand<TFloat32> op, float[] xBatch, float[] yBatch, int n) {
    try (TFloat32 xs = Tensors.images(xBatch, n);
        TFloat32 ys = Tensors.matrix(yBatch, n, config.numClasses());
        Result result = session.runner().feed(x, xs).feed(yTrue, ys).fetch(op).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** In [42]'s {@code session.run(y_pred_cls, feed_dict)}: the class of each of n images. */
  public long[] predictClasses(float[] images, int n) {
    return classesOf(yPredCls, images, n);
  }

  /**
   * The class of each of {@code images} as evaluation reports it and the exported model computes
   * it: In [16]-[28] again, built with {@code scope} over this network's variables, each
   * convolution as {@link Layers#predictionConvolution} picks for the device. In [28]'s {@code
   * yPredCls} is the same function through the notebook's Conv2D, equal to rounding.
   */
  public Operand<TInt64> predictedClasses(Ops scope, Operand<TFloat32> images) {
    Network copy =
        network(
            Layers.reusing(scope, trainableVariables, Layers.predictionConvolution(device)),
            images,
            config,
            scope.constant(0f));
    return scope.math.argMax(scope.nn.softmax(copy.layerFc2()), scope.constant(1));
  }

  /** {@link #predictedClasses(Ops, Operand)} of {@code xImage}, under the name scope "predict". */
  public Operand<TInt64> predictedClasses() {
    return predictedClasses(tf.withSubScope("predict"), xImage);
  }

  /** The value of a class-number op of the graph for {@code n} images. */
  public long[] classesOf(Operand<TInt64> op, float[] images, int n) {
    try (TFloat32 xs = Tensors.images(images, n);
        Result result = session.runner().feed(x, xs).fetch(op).run()) {
      return Tensors.longs((TInt64) result.get(0));
    }
  }

  /** The value of any float op of the graph for {@code n} images, flattened row-major. */
  public float[] evaluate(Operand<TFloat32> op, float[] images, int n) {
    try (TFloat32 xs = Tensors.images(images, n);
        Result result = session.runner().feed(x, xs).fetch(op).run()) {
      return Tensors.floats((TFloat32) result.get(0));
    }
  }

  /** In [48]'s {@code session.run(weights)}: a variable's value, flattened row-major. */
  public float[] valueOf(Operand<TFloat32> variable) {
    try (Result result = session.runner().fetch(variable).run()) {
      return Tensors.floats((TFloat32) result.get(0));
    }
  }

  /** Trainable parameters: every weight and bias of every layer. */
  public long parameterCount() {
    long total = 0;
    for (Variable<TFloat32> v : trainableVariables) {
      total += v.shape().size();
    }
    return total;
  }

  /** In [60]: releases the session and the graph. */
  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
