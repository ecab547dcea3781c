package dev.convnet.model;

import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The notebook's helper functions (cells In [7]-[11]), which add layers to a TensorFlow graph.
 * Nothing is computed here: each method only adds operations to the graph that {@code tf} builds.
 */
public final class Layers {
  /** In [7]: standard deviation of the truncated normal that initial weights are drawn from. */
  public static final float WEIGHT_STDDEV = 0.05f;

  /** In [8]: every bias starts at this value. */
  public static final float BIAS_INIT = 0.05f;

  /** In [9]: convolutions move one pixel at a time... */
  public static final List<Long> UNIT_STRIDES = List.of(1L, 1L, 1L, 1L);

  /** ...and pooling (or a strided convolution) takes 2x2 windows, two pixels apart. */
  public static final long[] WINDOW_2X2 = {1, 2, 2, 1};

  /** The same window as the list the op builders of avgPool and conv2d take. */
  private static final List<Long> WINDOW_2X2_LIST = List.of(1L, 2L, 2L, 1L);

  /**
   * Dropout's random ops take seed2 values from here up, apart from the weights' 1, 2, 3...: a
   * network with dropout starts from the same weights as one without.
   */
  private static final long DROPOUT_SEED2 = 1_000_000;

  private final Ops tf;
  private final long seed;
  private long randomOps;
  private long dropoutOps;
  private final List<Variable<TFloat32>> variables = new ArrayList<>();
  private final List<LayerVariables> layerVariables = new ArrayList<>();

  /** The variables a tower hands out again, in creation order; null when creating new ones. */
  private final List<Variable<TFloat32>> shared;

  /** How {@link #newConvLayer} computes a convolution of several input channels. */
  private final Convolution convolution;

  /**
   * How a SAME, stride-1 convolution of several input channels is computed. Both compute the same
   * sums of the same products; only the kernel that runs them differs.
   */
  public enum Convolution {
    /** TensorFlow's {@code Conv2D}, as In [9] writes it: what training differentiates. */
    CONV2D,
    /**
     * {@link #convolveAsFilterGradient}: oneDNN's filter-gradient kernel, forward only (TensorFlow
     * has no gradient for it), 1.4-1.8x faster than its Conv2D kernel from 4 images up on the
     * second convolution's shapes (docs/performance.md).
     */
    AS_FILTER_GRADIENT
  }

  /** How graphs that only predict compute their convolutions on a CPU: the one line that picks. */
  public static final Convolution CPU_PREDICTION_CONVOLUTION = Convolution.AS_FILTER_GRADIENT;

  /**
   * How a graph that only predicts computes its convolutions on {@code device}: {@link
   * #CPU_PREDICTION_CONVOLUTION} on a CPU, TensorFlow's Conv2D on a GPU (cuDNN's kernels were not
   * measured with the swapped shapes).
   */
  public static Convolution predictionConvolution(String device) {
    return device.equals(Device.GPU_NAME) ? Convolution.CONV2D : CPU_PREDICTION_CONVOLUTION;
  }

  /**
   * @param tf the graph's op builder
   * @param seed seeds every initializer; each one also gets its own {@code seed2}, because a
   *     TensorFlow Java graph has no graph-level seed
   */
  public Layers(Ops tf, long seed) {
    this(tf, seed, null, Convolution.CONV2D);
  }

  private Layers(Ops tf, long seed, List<Variable<TFloat32>> shared, Convolution convolution) {
    this.tf = tf;
    this.seed = seed;
    this.shared = shared;
    this.convolution = convolution;
  }

  /**
   * Helpers for a graph that only predicts, whose variables get their values from a trained network
   * (an exported model): convolutions as {@code convolution} says.
   */
  public static Layers forPrediction(Ops tf, Convolution convolution) {
    return new Layers(tf, 0, null, convolution);
  }

  /**
   * Helpers that build the same layers again with {@code towerOps} (a sub-scope), on another input,
   * over {@code variables} that helpers created before, in the same order (TF1's {@code
   * reuse=True}), to predict only: convolutions as {@code convolution} says.
   */
  public static Layers reusing(
      Ops towerOps, List<Variable<TFloat32>> variables, Convolution convolution) {
    return new Layers(towerOps, 0, List.copyOf(variables), convolution);
  }

  /** The result of {@link #newConvLayer}: the layer, and its weights for plotting later. */
  public record ConvLayer(Operand<TFloat32> layer, Variable<TFloat32> weights) {}

  /** One layer's weights and biases, as a convolutional or fully-connected helper made them. */
  public record LayerVariables(Variable<TFloat32> weights, Variable<TFloat32> biases) {}

  /** The result of {@link #flattenLayer}: the flat layer and its number of features. */
  public record FlatLayer(Operand<TFloat32> layer, long numFeatures) {}

  /** In [7] {@code new_weights}: a variable of {@code shape} from a truncated normal (σ 0.05). */
  public Variable<TFloat32> newWeights(long... shape) {
    if (shared != null) {
      return reuse(Shape.of(shape));
    }
    Operand<TFloat32> unit =
        tf.random.truncatedNormal(
            tf.constant(shape),
            TFloat32.class,
            TruncatedNormal.seed(seed),
            TruncatedNormal.seed2(++randomOps));
    return track(tf.variable(tf.math.mul(unit, tf.constant(WEIGHT_STDDEV))));
  }

  /** In [8] {@code new_biases}: a variable of {@code length} values, each 0.05. */
  public Variable<TFloat32> newBiases(int length) {
    if (shared != null) {
      return reuse(Shape.of(length));
    }
    return track(tf.variable(tf.fill(tf.constant(new int[] {length}), tf.constant(BIAS_INIT))));
  }

  /**
   * In [9] {@code new_conv_layer} as the notebook calls it: a convolution of {@code numFilters}
   * filters of {@code filterSize x filterSize} over a 4-d input {@code [images, y, x, channels]},
   * SAME (zero) padding so the image keeps its size; one bias per filter; a ReLU; and, with {@code
   * usePooling}, a 2x2 max-pool.
   *
   * <p>Order: ReLU, then max-pool, as most code writes it and as TensorFlow fuses it (Conv2D,
   * BiasAdd and Relu in one kernel). The notebook pools first to save three quarters of the ReLUs,
   * which computes exactly the same numbers, since relu(max_pool(x)) == max_pool(relu(x)) in
   * floating point too (the guide checks it); {@code --pool-first} builds the notebook's order.
   */
  public ConvLayer newConvLayer(
      Operand<TFloat32> input,
      int numInputChannels,
      int filterSize,
      int numFilters,
      boolean usePooling) {
    return newConvLayer(
        input,
        numInputChannels,
        filterSize,
        numFilters,
        ModelConfig.notebook().withPooling(usePooling ? Pooling.MAX : Pooling.NONE));
  }

  /**
   * In [9] {@code new_conv_layer} for the exercises' networks: the convolution and bias as above,
   * then {@code network}'s activation and 2x2 reduction (exercises 6, 10, 11), the activation first
   * unless {@code network.poolFirst()} asks for the notebook's order (exercise 6).
   */
  public ConvLayer newConvLayer(
      Operand<TFloat32> input,
      int numInputChannels,
      int filterSize,
      int numFilters,
      ModelConfig network) {
    Pooling pooling = network.pooling();
    Activation activation = network.activation();
    Variable<TFloat32> weights = newWeights(filterSize, filterSize, numInputChannels, numFilters);
    Variable<TFloat32> biases = newBiases(numFilters);
    layerVariables.add(new LayerVariables(weights, biases));
    List<Long> strides = pooling == Pooling.STRIDE ? WINDOW_2X2_LIST : UNIT_STRIDES;
    boolean asFilterGradient =
        convolution == Convolution.AS_FILTER_GRADIENT
            && numInputChannels > 1
            && filterSize % 2 == 1
            && pooling != Pooling.STRIDE;
    Operand<TFloat32> convolved =
        asFilterGradient
            ? convolveAsFilterGradient(tf, input, weights)
            : tf.nn.conv2d(input, weights, strides, "SAME");
    Operand<TFloat32> layer = tf.nn.biasAdd(convolved, biases);
    if (network.poolFirst()) {
      layer = activate(pool(layer, pooling), activation);
    } else {
      layer = pool(activate(layer, activation), pooling);
    }
    return new ConvLayer(layer, weights);
  }

  /**
   * A 2x2 reduction with stride 2. Max-pooling goes through TensorFlow's {@code MaxPool} op, whose
   * window is an attribute: {@code tf.nn.maxPool} builds {@code MaxPoolV2}, whose window is a
   * tensor, and its gradient ran 4-5 times slower on these CPUs. Same function.
   */
  public Operand<TFloat32> pool(Operand<TFloat32> layer, Pooling pooling) {
    return switch (pooling) {
      case MAX -> maxPool(tf, layer);
      case AVG -> tf.nn.avgPool(layer, WINDOW_2X2_LIST, WINDOW_2X2_LIST, "SAME");
      case NONE, STRIDE -> layer;
    };
  }

  /** A 2x2 max-pool, stride 2, through the {@code MaxPool} op (see {@link #pool}). */
  public static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> layer) {
    return tf.scope()
        .opBuilder("MaxPool", "MaxPool")
        .addInput(layer.asOutput())
        .setAttr("ksize", WINDOW_2X2)
        .setAttr("strides", WINDOW_2X2)
        .setAttr("padding", "SAME")
        .build()
        .output(0);
  }

  /** The layer's non-linearity. */
  public Operand<TFloat32> activate(Operand<TFloat32> layer, Activation activation) {
    return switch (activation) {
      case RELU -> tf.nn.relu(layer);
      case SIGMOID -> tf.math.sigmoid(layer);
    };
  }

  /**
   * Dropout (exercise 5): each value is kept with probability {@code 1 - rate} and scaled by {@code
   * 1 / (1 - rate)}, so its expected value is unchanged. At rate 0 the mask is exactly 1 and the
   * layer passes through untouched.
   */
  public Operand<TFloat32> dropout(Operand<TFloat32> layer, Operand<TFloat32> rate) {
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), rate);
    Operand<TFloat32> uniform =
        tf.random.randomUniform(
            tf.shape(layer),
            TFloat32.class,
            RandomUniform.seed(seed),
            RandomUniform.seed2(DROPOUT_SEED2 + ++dropoutOps));
    Operand<TFloat32> mask = tf.stopGradient(tf.math.floor(tf.math.add(keep, uniform)));
    return tf.math.div(tf.math.mul(layer, mask), keep);
  }

  /**
   * A SAME, stride-1 convolution of {@code input} {@code [n, h, w, c]} by {@code filters} {@code
   * [k, k, c, o]} (k odd), computed by a filter-gradient op: with images and channels swapped, the
   * padded input {@code [c, h + k - 1, w + k - 1, n]} correlated with the filters as the "output
   * gradient" {@code [c, k, k, o]} gives {@code [h, w, n, o]}, each sum over the same products. On
   * 14x14 images of 16 channels into 36, oneDNN's filter-gradient kernel ran at about three times
   * the speed of its Conv2D kernels on an AMD EPYC CPU (docs/performance.md).
   */
  public static Operand<TFloat32> convolveAsFilterGradient(
      Ops tf, Operand<TFloat32> input, Operand<TFloat32> filters) {
    long size = filters.shape().size(0);
    long pad = (size - 1) / 2;
    Operand<TFloat32> padded =
        tf.pad(
            input,
            tf.constant(new long[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}),
            tf.constant(0f));
    Operand<TFloat32> channelsFirst =
        tf.linalg.transpose(padded, tf.constant(new int[] {3, 1, 2, 0}));
    Operand<TFloat32> filtersAsGradient =
        tf.linalg.transpose(filters, tf.constant(new int[] {2, 0, 1, 3}));
    // [h, w, n, o]: the input's height, width and images, and the filters' outputs; the sizes known
    // when the graph is built as constants, so that the layer's shape is known to flattenLayer.
    Operand<TInt32> inputSize = tf.shape(input);
    Operand<TInt32> outputSize =
        tf.stack(
            List.of(
                size(tf, input, inputSize, 1),
                size(tf, input, inputSize, 2),
                size(tf, input, inputSize, 0),
                tf.constant((int) filters.shape().size(3))));
    Operand<TFloat32> result =
        tf.nn.conv2dBackpropFilter(
            channelsFirst, outputSize, filtersAsGradient, UNIT_STRIDES, "VALID");
    return tf.linalg.transpose(result, tf.constant(new int[] {2, 0, 1, 3}));
  }

  /** Dimension {@code d} of {@code input}: a constant where the graph knows it, else its size. */
  private static Operand<TInt32> size(
      Ops tf, Operand<TFloat32> input, Operand<TInt32> inputSize, int d) {
    long known = input.shape().size(d);
    return known >= 0
        ? tf.constant((int) known)
        : tf.gather(inputSize, tf.constant(d), tf.constant(0));
  }

  /**
   * In [10] {@code flatten_layer}: reshapes {@code [images, height, width, channels]} to {@code
   * [images, height * width * channels]}; the feature count comes from the layer's static shape.
   */
  public FlatLayer flattenLayer(Operand<TFloat32> layer) {
    Shape layerShape = layer.shape();
    long numFeatures = layerShape.size(1) * layerShape.size(2) * layerShape.size(3);
    Operand<TFloat32> layerFlat = tf.reshape(layer, tf.constant(new long[] {-1, numFeatures}));
    return new FlatLayer(layerFlat, numFeatures);
  }

  /**
   * In [11] {@code new_fc_layer}: a fully-connected layer, {@code input x weights + biases} from
   * {@code [images, numInputs]} to {@code [images, numOutputs]}, with an optional ReLU. The bias is
   * a BiasAdd (the same sum as the notebook's {@code +}) so that it fuses with the MatMul.
   */
  public Operand<TFloat32> newFcLayer(
      Operand<TFloat32> input, long numInputs, int numOutputs, boolean useRelu) {
    return newFcLayer(input, numInputs, numOutputs, useRelu ? Activation.RELU : null);
  }

  /** {@link #newFcLayer(Operand, long, int, boolean)} with any activation, or none for null. */
  public Operand<TFloat32> newFcLayer(
      Operand<TFloat32> input, long numInputs, int numOutputs, Activation activation) {
    Variable<TFloat32> weights = newWeights(numInputs, numOutputs);
    Variable<TFloat32> biases = newBiases(numOutputs);
    layerVariables.add(new LayerVariables(weights, biases));
    Operand<TFloat32> layer = tf.nn.biasAdd(tf.linalg.matMul(input, weights), biases);
    return activation == null ? layer : activate(layer, activation);
  }

  /** Each layer's weights and biases, in the order the helpers made the layers. */
  public List<LayerVariables> layerVariables() {
    return List.copyOf(layerVariables);
  }

  /** Every variable the helpers created so far, in order: what the optimizer trains. */
  public List<Variable<TFloat32>> variables() {
    return List.copyOf(variables);
  }

  private Variable<TFloat32> reuse(Shape shape) {
    Variable<TFloat32> variable = shared.get(variables.size());
    if (!variable.shape().equals(shape)) {
      throw new IllegalStateException(
          "a tower asked for a " + shape + " variable where the network has " + variable.shape());
    }
    return track(variable);
  }

  private Variable<TFloat32> track(Variable<TFloat32> variable) {
    variables.add(variable);
    return variable;
  }
}
