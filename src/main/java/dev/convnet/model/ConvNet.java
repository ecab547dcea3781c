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
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The notebook's network as one TensorFlow graph, cells In [12]-[35] in order and under the same
 * names (in camelCase), plus the session that runs it. It knows nothing of files, figures or flags.
 */
public final class ConvNet implements AutoCloseable {
  /** Name of the input placeholder, as in the notebook and the exported model's signature. */
  public static final String X_NAME = "x";
  public static final String Y_TRUE_NAME = "y_true";
  public static final String LEARNING_RATE_NAME = "learning_rate";
  /**
   * Names under which the layers and filters the notebook plots can be fetched, here and in an
   * exported SavedModel alike (identity ops, computed only when fetched).
   */
  public static final String LAYER_CONV1 = "layer_conv1";
  public static final String LAYER_CONV2 = "layer_conv2";
  public static final String WEIGHTS_CONV1 = "weights_conv1";
  public static final String WEIGHTS_CONV2 = "weights_conv2";

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
  /** In [16]: first convolutional layer {@code [?, 14, 14, 16]} and its filters {@code [5, 5, 1, 16]}. */
  public final Operand<TFloat32> layerConv1;
  public final Variable<TFloat32> weightsConv1;
  /** In [18]: second convolutional layer {@code [?, 7, 7, 36]} and its filters {@code [5, 5, 16, 36]}. */
  public final Operand<TFloat32> layerConv2;
  public final Variable<TFloat32> weightsConv2;
  /** In [20]: the second layer flattened to {@code [?, 1764]}, and 1764 itself. */
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
  /** The learning rate, the config's unless a run feeds another (for schedules). */
  public final Operand<TFloat32> learningRate;
  /** In [31]: one Adam step on {@code cost}. */
  public final Op optimizer;
  /** In [32]: whether each image's predicted class is its true class. */
  public final Operand<?> correctPrediction;
  /** In [33]: the fraction of images classified correctly. */
  public final Operand<TFloat32> accuracy;
  /** Every trainable variable, in the order the layers create them. */
  public final List<Variable<TFloat32>> trainableVariables;
  /** Adam's state: moments of each variable and the two beta powers. */
  public final AdamOptimizer.Minimize adamState;
  /** In [34]: the session that runs the graph. */
  public final Session session;

  /** The device the ops are pinned to, such as "/device:CPU:0". */
  public final String device;

  /** Builds the graph on the CPU. */
  public ConvNet(ModelConfig config) {
    this(config, Device.CPU_NAME);
  }

  /**
   * Builds the graph with every op pinned to {@code device} (a name from {@link Device#resolve()});
   * on a GPU, ops without a GPU kernel fall back to the CPU.
   */
  public ConvNet(ModelConfig config, String device) {
    this.config = config;
    this.device = device;
    this.graph = new Graph();
    this.tf = Ops.create(graph).withDevice(Device.spec(device));
    Layers layers = new Layers(tf, config.seed());

    x = tf.withName(X_NAME).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, ModelConfig.IMG_SIZE_FLAT)));
    xImage = tf.reshape(x, tf.constant(new int[] {-1, ModelConfig.IMG_SIZE, ModelConfig.IMG_SIZE, ModelConfig.NUM_CHANNELS}));
    yTrue = tf.withName(Y_TRUE_NAME).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, ModelConfig.NUM_CLASSES)));
    yTrueCls = tf.math.argMax(yTrue, tf.constant(1));

    Layers.ConvLayer conv1 = layers.newConvLayer(xImage, ModelConfig.NUM_CHANNELS, config.filterSize1(), config.numFilters1(), true);
    layerConv1 = conv1.layer();
    weightsConv1 = conv1.weights();
    Layers.ConvLayer conv2 = layers.newConvLayer(layerConv1, config.numFilters1(), config.filterSize2(), config.numFilters2(), true);
    layerConv2 = conv2.layer();
    weightsConv2 = conv2.weights();
    tf.withName(LAYER_CONV1).identity(layerConv1);
    tf.withName(LAYER_CONV2).identity(layerConv2);
    tf.withName(WEIGHTS_CONV1).identity(weightsConv1);
    tf.withName(WEIGHTS_CONV2).identity(weightsConv2);
    Layers.FlatLayer flat = layers.flattenLayer(layerConv2);
    layerFlat = flat.layer();
    numFeatures = flat.numFeatures();
    layerFc1 = layers.newFcLayer(layerFlat, numFeatures, config.fcSize(), true);
    layerFc2 = layers.newFcLayer(layerFc1, config.fcSize(), ModelConfig.NUM_CLASSES, false);

    yPred = tf.withName("y_pred").nn.softmax(layerFc2);
    yPredCls = tf.withName("y_pred_cls").math.argMax(yPred, tf.constant(1));
    // One-hot labels on purpose: the sparse variant has no gradient in TensorFlow Java.
    crossEntropy = tf.nn.softmaxCrossEntropyWithLogits(layerFc2, yTrue).loss();
    cost = tf.withName("cost").math.mean(crossEntropy, tf.constant(0));

    learningRate = tf.withName(LEARNING_RATE_NAME).placeholderWithDefault(tf.constant(config.learningRate()), Shape.scalar());
    trainableVariables = layers.variables();
    adamState = AdamOptimizer.minimize(tf, cost, trainableVariables, learningRate);
    optimizer = adamState.op();

    correctPrediction = tf.math.equal(yPredCls, yTrueCls);
    accuracy = tf.withName("accuracy").math.mean(tf.dtypes.cast(correctPrediction, TFloat32.class), tf.constant(0));

    session = new Session(graph, sessionConfig(device.equals(Device.GPU_NAME)));
  }

  /**
   * Two intra-op threads and one inter-op thread: this small graph has little parallelism between
   * ops, and these settings measured fastest on two cores. Soft placement lets ops without a GPU
   * kernel fall back to the CPU when the graph is pinned to a GPU.
   */
  static ConfigProto sessionConfig(boolean softPlacement) {
    int cores = Runtime.getRuntime().availableProcessors();
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(cores)
        .setInterOpParallelismThreads(1)
        .setAllowSoftPlacement(softPlacement)
        .build();
  }

  /** In [35]: gives every variable (and Adam's state) its initial value. */
  public void initialize() {
    session.initialize();
  }

  /** Counts of a training step that a caller may log. */
  public record StepResult(float cost, float accuracy) {}

  /**
   * One optimization step on a batch of {@code n} images; returns the batch's cost and accuracy as
   * the forward pass of that step computed them (before the weights moved).
   */
  public StepResult trainStep(float[] xBatch, float[] yBatch, int n, float rate) {
    try (TFloat32 xs = Tensors.images(xBatch, n);
        TFloat32 ys = Tensors.matrix(yBatch, n, ModelConfig.NUM_CLASSES);
        TFloat32 lr = TFloat32.scalarOf(rate);
        Result result = session.runner().feed(x, xs).feed(yTrue, ys).feed(learningRate, lr)
            .addTarget(optimizer).fetch(cost).fetch(accuracy).run()) {
      return new StepResult(((TFloat32) result.get(0)).getFloat(), ((TFloat32) result.get(1)).getFloat());
    }
  }

  /** The accuracy of the current weights on a batch (the notebook's training-accuracy printout). */
  public float accuracy(float[] xBatch, float[] yBatch, int n) {
    try (TFloat32 xs = Tensors.images(xBatch, n);
        TFloat32 ys = Tensors.matrix(yBatch, n, ModelConfig.NUM_CLASSES);
        Result result = session.runner().feed(x, xs).feed(yTrue, ys).fetch(accuracy).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** The batch's cost under the current weights. */
  public float cost(float[] xBatch, float[] yBatch, int n) {
    try (TFloat32 xs = Tensors.images(xBatch, n);
        TFloat32 ys = Tensors.matrix(yBatch, n, ModelConfig.NUM_CLASSES);
        Result result = session.runner().feed(x, xs).feed(yTrue, ys).fetch(cost).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** The predicted class of each of {@code n} images. */
  public long[] predictClasses(float[] images, int n) {
    try (TFloat32 xs = Tensors.images(images, n);
        Result result = session.runner().feed(x, xs).fetch(yPredCls).run()) {
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

  /** The current value of a variable, flattened row-major. */
  public float[] valueOf(Operand<TFloat32> variable) {
    try (Result result = session.runner().fetch(variable).run()) {
      return Tensors.floats((TFloat32) result.get(0));
    }
  }

  /** In [60]: releases the session and the graph. */
  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
