package dev.convnet.model;

import java.util.ArrayList;
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
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The notebook's network as one TensorFlow graph, cells In [12]-[35] in order and under the same
 * names (in camelCase), plus the session that runs it. It knows nothing of files, figures or flags.
 *
 * <p>In [31]'s training step computes the same update in a faster way: on a small CPU each batch is
 * shared among towers, one per core, and for the notebook's layers the gradients come from {@link
 * ExplicitBackward}. Evaluation, the figures and the exported model run the notebook's ops.
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

  /** In [23]: fully-connected layer of 128 neurons with ReLU (dropout follows it in training). */
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

  /** The learning rate of the next step (fed by the trainer). */
  public final Placeholder<TFloat32> learningRate;

  /** Exercise 5: the dropout rate after fc1; 0 unless fed, so evaluation never drops. */
  public final Operand<TFloat32> dropoutRate;

  /** Towers the training step shares each batch among (one per core on a small CPU). */
  public final int towers;

  /** Up to this many cores, one tower per core. */
  static final int MAX_TOWERS = 4;

  /** Whether the training step's gradients are {@link ExplicitBackward}'s. */
  public final boolean explicitBackward;

  /** The Adam step for a batch of fewer images than towers: on the whole network, at once. */
  private final Op smallBatchOptimizer;

  /** The predicted class of each image, computed by the towers. */
  private final Operand<TInt64> towerPredictions;

  /** The batch's cost and accuracy as the training step computes them (by towers or not). */
  private final Operand<TFloat32> trainCost;

  private final Operand<TFloat32> trainAccuracy;

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
  public ConvNet(ModelConfig config, long seed) {
    this(config, seed, Device.CPU_NAME);
  }

  /**
   * Builds the graph with every op pinned to {@code device} (a name from {@link Device#resolve()});
   * on a GPU, ops without a GPU kernel fall back to the CPU. {@code seed} seeds the initial
   * weights.
   */
  public ConvNet(ModelConfig config, long seed, String device) {
    this(config, seed, device, towersFor(device), explicitBackwardFor(config, device));
  }

  /**
   * The graph with the training step shared among {@code towers}, its gradients from {@link
   * ExplicitBackward} when {@code explicitBackward} (which the network's layers must allow), else
   * from {@code addGradients}: the choices the other constructors make, open to tests and to the
   * benchmark's comparison of them. On a CPU only.
   */
  public ConvNet(
      ModelConfig config, long seed, String device, int towers, boolean explicitBackward) {
    if (towers < 1 || explicitBackward && !ExplicitBackward.supports(config)) {
      throw new IllegalArgumentException(
          "towers " + towers + ", explicit backward " + explicitBackward + " for " + config);
    }
    this.towers = towers;
    this.explicitBackward = explicitBackward;
    this.config = config;
    this.device = device;
    this.graph = new Graph();
    this.tf = Ops.create(graph).withDevice(Device.spec(device));
    Layers layers = new Layers(tf, seed);
    int imgSize = ModelConfig.IMG_SIZE;
    dropoutRate =
        tf.withName(DROPOUT_RATE_NAME).placeholderWithDefault(tf.constant(0f), Shape.scalar());

    // In [12]-[15]
    x = tf.withName(X_NAME).placeholder(TFloat32.class, shape(ModelConfig.IMG_SIZE_FLAT));
    xImage = tf.reshape(x, tf.constant(new int[] {-1, imgSize, imgSize, ModelConfig.NUM_CHANNELS}));
    yTrue = tf.withName(Y_TRUE_NAME).placeholder(TFloat32.class, shape(ModelConfig.NUM_CLASSES));
    yTrueCls = tf.math.argMax(yTrue, tf.constant(1));

    // In [16]-[26]
    Forward net = forward(layers, xImage);
    layerConv1 = net.conv().get(0).layer();
    weightsConv1 = net.conv().get(0).weights();
    layerConv2 = net.conv().get(1).layer();
    weightsConv2 = net.conv().get(1).weights();
    layerConvLast = net.convLast();
    tf.withName(LAYER_CONV1).identity(layerConv1);
    tf.withName(LAYER_CONV2).identity(layerConv2);
    tf.withName(WEIGHTS_CONV1).identity(weightsConv1);
    tf.withName(WEIGHTS_CONV2).identity(weightsConv2);
    layerFlat = net.flat().layer();
    numFeatures = net.flat().numFeatures();
    layerFc1 = net.fc1();
    layerFc2 = net.logits();

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

    // In [32]-[33]
    correctPrediction = tf.math.equal(yPredCls, yTrueCls);
    accuracy = tf.withName("accuracy").math.mean(fractionOf(correctPrediction), tf.constant(0));

    // In [31]: Adam on the batch's cost, the batch shared among towers (one per core on a CPU)
    TrainingStep step = trainingStep(layers);
    trainCost = step.cost();
    trainAccuracy = step.accuracy();
    towerPredictions = step.predictions();
    adamState = step.adam();
    optimizer = adamState.op();
    smallBatchOptimizer = step.smallBatchOptimizer();

    // In [34]
    session = new Session(graph, sessionConfig(device.equals(Device.GPU_NAME), towers));
  }

  /** What {@link #forward} builds: the layers of In [16]-[26] on one input. */
  private record Forward(
      List<Layers.ConvLayer> conv,
      Operand<TFloat32> convLast,
      Layers.FlatLayer flat,
      Operand<TFloat32> fc1,
      Operand<TFloat32> logits) {}

  /**
   * In [16]-[26]: the convolutional layers (and exercise 7's further layers of layer 2's kind),
   * flatten, and the fully-connected layers, on {@code image}, with the variables {@code layers}
   * creates or shares.
   */
  private Forward forward(Layers layers, Operand<TFloat32> image) {
    List<Layers.ConvLayer> conv = new ArrayList<>();
    Operand<TFloat32> input = image;
    int channels = ModelConfig.NUM_CHANNELS;
    for (int i = 0; i < config.convLayers(); i++) {
      int filterSize = i == 0 ? config.filterSize1() : config.filterSize2();
      int numFilters = i == 0 ? config.numFilters1() : config.numFilters2();
      Layers.ConvLayer layer = layers.newConvLayer(input, channels, filterSize, numFilters, config);
      conv.add(layer);
      input = layer.layer();
      channels = numFilters;
    }
    Operand<TFloat32> convLast = input;
    Layers.FlatLayer flat = layers.flattenLayer(convLast);
    Operand<TFloat32> hidden = flat.layer();
    long inputs = flat.numFeatures();
    Operand<TFloat32> fc1 = null;
    for (int i = 0; i < config.fcLayers(); i++) {
      hidden = layers.newFcLayer(hidden, inputs, config.fcSize(), config.activation());
      if (i == 0) {
        fc1 = hidden;
        if (config.dropout() > 0) {
          hidden = layers.dropout(hidden, dropoutRate);
        }
      }
      inputs = config.fcSize();
    }
    Operand<TFloat32> logits =
        layers.newFcLayer(hidden, inputs, ModelConfig.NUM_CLASSES, config.reluLast());
    return new Forward(conv, convLast, flat, fc1, logits);
  }

  /** The training step's ops: the batch's cost and accuracy, Adam, and the predicted classes. */
  private record TrainingStep(
      Operand<TFloat32> cost,
      Operand<TFloat32> accuracy,
      AdamOptimizer.Minimize adam,
      Op smallBatchOptimizer,
      Operand<TInt64> predictions) {}

  /**
   * In [31]'s optimizer, on one tower or on several, each the whole network on its own share of the
   * batch over the same variables. The cost is the sum over every image divided by the batch's
   * size, so its gradient is the whole batch's whichever tower computed each term; the towers'
   * gradients are added in tower order, so a seeded run repeats bit for bit. The gradients come
   * from {@link ExplicitBackward} where the network has its layer structure, else from {@code
   * addGradients}.
   */
  private TrainingStep trainingStep(Layers layers) {
    if (towers == 1 && !explicitBackward) {
      AdamOptimizer.Minimize minimize =
          AdamOptimizer.minimize(tf, cost, trainableVariables, learningRate);
      return new TrainingStep(cost, accuracy, minimize, minimize.op(), yPredCls);
    }
    Operand<TInt32> n = tf.squeeze(tf.shape.size(tf.shape(x), tf.constant(0)));
    Operand<TFloat32> batchSize = tf.dtypes.cast(n, TFloat32.class);
    // Each tower's gradients are of its cost sum over the whole batch's size.
    Operand<TFloat32> perImage = tf.math.reciprocal(batchSize);
    List<Operand<TFloat32>> images = shares(xImage, n);
    List<Operand<TFloat32>> labels = shares(yTrue, n);
    List<Operand<TFloat32>> costSums = new ArrayList<>();
    List<Operand<TFloat32>> correctSums = new ArrayList<>();
    List<Operand<TInt64>> predictions = new ArrayList<>();
    List<List<Operand<TFloat32>>> gradients = new ArrayList<>();
    for (int t = 0; t < towers; t++) {
      Ops tower = tf.withSubScope("tower" + t);
      // With towers, the predictions go through Layers' ops, as the exported model computes them.
      Forward f = towers > 1 ? forward(layers.sharingVariables(tower, t), images.get(t)) : null;
      if (f != null) {
        predictions.add(tower.math.argMax(f.logits(), tower.constant(1)));
      }
      if (explicitBackward) {
        ExplicitBackward.Tower step =
            ExplicitBackward.tower(
                tower,
                trainableVariables,
                images.get(t),
                labels.get(t),
                perImage,
                config.poolFirst());
        costSums.add(step.costSum());
        correctSums.add(step.correctSum());
        gradients.add(step.gradients());
      } else {
        costSums.add(
            tower.sum(
                tower.nn.softmaxCrossEntropyWithLogits(f.logits(), labels.get(t)).loss(),
                tower.constant(0)));
        correctSums.add(ExplicitBackward.correctCount(tower, f.logits(), labels.get(t)));
      }
    }
    Operand<TFloat32> batchCost = tf.withName("train_cost").math.div(sum(costSums), batchSize);
    Operand<TFloat32> batchAccuracy =
        tf.withName("train_accuracy").math.div(sum(correctSums), batchSize);
    AdamOptimizer.Minimize adam;
    if (explicitBackward) {
      List<Operand<TFloat32>> total = new ArrayList<>();
      for (int v = 0; v < trainableVariables.size(); v++) {
        List<Operand<TFloat32>> terms = new ArrayList<>();
        for (List<Operand<TFloat32>> tower : gradients) {
          terms.add(tower.get(v));
        }
        total.add(sum(terms));
      }
      adam = AdamOptimizer.apply(tf, total, trainableVariables, learningRate);
    } else {
      adam = AdamOptimizer.minimize(tf, batchCost, trainableVariables, learningRate);
    }
    Operand<TInt64> predicted = towers == 1 ? yPredCls : tf.concat(predictions, tf.constant(0));
    // A batch smaller than the towers (a last batch of one image) leaves a tower nothing, which
    // oneDNN's kernels refuse: such a batch takes one step of the same Adam on the whole network.
    Op smallBatchOptimizer =
        towers == 1
            ? adam.op()
            : AdamOptimizer.applyAlso(
                    tf,
                    "optimizer_small_batch",
                    AdamOptimizer.gradients(tf, cost, trainableVariables),
                    trainableVariables,
                    learningRate,
                    adam)
                .op();
    return new TrainingStep(batchCost, batchAccuracy, adam, smallBatchOptimizer, predicted);
  }

  /** {@code batch} cut along its first axis into one share per tower, the last taking the rest. */
  private List<Operand<TFloat32>> shares(Operand<TFloat32> batch, Operand<TInt32> n) {
    if (towers == 1) {
      return List.of(batch);
    }
    Operand<TInt32> share = tf.math.div(n, tf.constant(towers));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int t = 0; t < towers - 1; t++) {
      sizes.add(share);
    }
    sizes.add(tf.math.sub(n, tf.math.mul(share, tf.constant(towers - 1))));
    return new ArrayList<>(
        tf.splitV(batch, tf.stack(sizes), tf.constant(0), (long) towers).output());
  }

  /** The sum of {@code terms}, added in order. */
  private Operand<TFloat32> sum(List<Operand<TFloat32>> terms) {
    return terms.size() == 1 ? terms.get(0) : tf.math.addN(terms);
  }

  /**
   * Towers for {@code device}: on a CPU of up to {@link #MAX_TOWERS} cores, one per core, each op
   * on one thread (faster on two cores than two intra-op threads splitting each small op, as
   * docs/performance.md measures); elsewhere one, its ops spread over every core.
   */
  public static int towersFor(String device) {
    int cores = Runtime.getRuntime().availableProcessors();
    return device.equals(Device.GPU_NAME) || cores > MAX_TOWERS ? 1 : cores;
  }

  /** Whether the training step on {@code device} takes {@link ExplicitBackward}'s gradients. */
  public static boolean explicitBackwardFor(ModelConfig config, String device) {
    return !device.equals(Device.GPU_NAME) && ExplicitBackward.supports(config);
  }

  private Operand<TFloat32> fractionOf(Operand<?> booleans) {
    return tf.dtypes.cast(booleans, TFloat32.class);
  }

  private static Placeholder.Options shape(int columns) {
    return Placeholder.shape(Shape.of(-1, columns));
  }

  /**
   * With towers, one inter-op thread per tower and one intra-op thread, so that each tower runs on
   * its own core; with one tower, one inter-op thread and one intra-op thread per core (the graph
   * has little parallelism between its ops). Soft placement lets ops without a GPU kernel fall back
   * to the CPU when the graph is pinned to a GPU.
   */
  static ConfigProto sessionConfig(boolean softPlacement, int towers) {
    int cores = Runtime.getRuntime().availableProcessors();
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(towers > 1 ? 1 : cores)
        .setInterOpParallelismThreads(towers)
        .setAllowSoftPlacement(softPlacement)
        .build();
  }

  /** In [35]: gives every variable (and Adam's state) its initial value. */
  public void initialize() {
    session.initialize();
  }

  /** The cost and accuracy that a training step's forward pass computed. */
  public record StepResult(float cost, float accuracy) {}

  /**
   * One optimization step on a batch of {@code n} images at learning rate {@code rate}; returns the
   * batch's cost and accuracy as the forward pass of that step computed them (before the weights
   * moved). The model's dropout applies in this step only.
   */
  public StepResult trainStep(float[] xBatch, float[] yBatch, int n, float rate) {
    return trainStep(xBatch, yBatch, n, rate, null);
  }

  /** {@link #trainStep}, tracing the ops it runs into {@code trace} when it is not null. */
  public StepResult trainStep(
      float[] xBatch, float[] yBatch, int n, float rate, RunMetadata.Builder trace) {
    try (TFloat32 xs = Tensors.images(xBatch, n);
        TFloat32 ys = Tensors.matrix(yBatch, n, ModelConfig.NUM_CLASSES);
        TFloat32 lr = TFloat32.scalarOf(rate);
        // Without dropout the placeholder's default, 0, holds: no tensor to make each step.
        TFloat32 drop = config.dropout() > 0 ? TFloat32.scalarOf(config.dropout()) : null) {
      boolean shared = n >= towers;
      Session.Runner runner =
          session
              .runner()
              .feed(x, xs)
              .feed(yTrue, ys)
              .feed(learningRate, lr)
              .addTarget(shared ? optimizer : smallBatchOptimizer)
              .fetch(shared ? trainCost : cost)
              .fetch(shared ? trainAccuracy : accuracy);
      if (drop != null) {
        runner.feed(dropoutRate, drop);
      }
      if (trace == null) {
        try (Result result = runner.run()) {
          return stepResult(result);
        }
      }
      runner.setOptions(
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build());
      try (Result result = runner.runAndFetchMetadata()) {
        result.getMetadata().ifPresent(trace::mergeFrom);
        return stepResult(result);
      }
    }
  }

  private static StepResult stepResult(Result result) {
    return new StepResult(
        ((TFloat32) result.get(0)).getFloat(), ((TFloat32) result.get(1)).getFloat());
  }

  /** The accuracy of the current weights on a batch (the notebook's training-accuracy printout). */
  public float accuracy(float[] xBatch, float[] yBatch, int n) {
    return scalar(accuracy, xBatch, yBatch, n);
  }

  /** The batch's cost under the current weights. */
  public float cost(float[] xBatch, float[] yBatch, int n) {
    return scalar(cost, xBatch, yBatch, n);
  }

  private float scalar(Operand<TFloat32> op, float[] xBatch, float[] yBatch, int n) {
    try (TFloat32 xs = Tensors.images(xBatch, n);
        TFloat32 ys = Tensors.matrix(yBatch, n, ModelConfig.NUM_CLASSES);
        Result result = session.runner().feed(x, xs).feed(yTrue, ys).fetch(op).run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /** The predicted class of each of {@code n} images. */
  public long[] predictClasses(float[] images, int n) {
    try (TFloat32 xs = Tensors.images(images, n);
        Result result =
            session.runner().feed(x, xs).fetch(n >= towers ? towerPredictions : yPredCls).run()) {
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
