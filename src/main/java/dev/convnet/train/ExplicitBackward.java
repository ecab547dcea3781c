package dev.convnet.train;

import dev.convnet.model.Layers;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.nn.SoftmaxCrossEntropyWithLogits;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The training step of the notebook's layer structure (two convolutions each with ReLU and max-pool
 * in either order, one hidden fully-connected layer, any sizes) with its backward pass written out
 * op by op, for speed on the CPU. It computes the same function and the same gradients as {@code
 * addGradients} on the layers of {@link Layers}, to rounding (FastCpuStepTest); two things make it
 * faster there:
 *
 * <ul>
 *   <li>The ReLU gradients read the ReLU's output, not its input, so each convolution's BiasAdd has
 *       a single reader and TensorFlow fuses Conv2D, BiasAdd and ReLU in training too.
 *   <li>The second convolution and its input gradient are computed by oneDNN's filter-gradient
 *       kernel ({@link Layers#convolveAsFilterGradient}): on 14x14 images of 16 channels into 36,
 *       its forward and backward-data kernels ran at about a third of the speed of its
 *       filter-gradient kernel on an AMD EPYC CPU (docs/performance.md).
 * </ul>
 */
final class ExplicitBackward {
  private ExplicitBackward() {}

  /** What one tower adds to the graph: its sums over its images, and each variable's gradient. */
  record Tower(
      Operand<TFloat32> costSum, Operand<TFloat32> correctSum, List<Operand<TFloat32>> gradients) {}

  /** Whether {@code config} has the layer structure this step is written for. */
  static boolean supports(ModelConfig config) {
    return config.convLayers() == 2
        && config.fcLayers() == 1
        && config.pooling() == Pooling.MAX
        && config.activation() == Activation.RELU
        && !config.reluLast()
        && config.dropout() == 0;
  }

  /** The notebook's four layers' weights and biases, by layer: In [16], [18], [23] and [25]. */
  record Parameters(
      Layers.LayerVariables conv1,
      Layers.LayerVariables conv2,
      Layers.LayerVariables fc1,
      Layers.LayerVariables fc2) {
    /** {@code layers} as Layers made them for a network this step {@link #supports}. */
    static Parameters of(List<Layers.LayerVariables> layers) {
      if (layers.size() != 4) {
        throw new IllegalArgumentException("the notebook's structure has 4 layers, not " + layers);
      }
      return new Parameters(layers.get(0), layers.get(1), layers.get(2), layers.get(3));
    }

    /** Their variables in Layers' order (each layer's weights, then biases), as Adam keeps them. */
    List<Variable<TFloat32>> inOrder() {
      return List.of(
          conv1.weights(),
          conv1.biases(),
          conv2.weights(),
          conv2.biases(),
          fc1.weights(),
          fc1.biases(),
          fc2.weights(),
          fc2.biases());
    }
  }

  /**
   * One tower: the network of {@code p} on {@code images} {@code [n, 28, 28, 1]} with one-hot
   * {@code labels}, and the gradients of {@code sum(cross-entropy) * scale}, in {@link
   * Parameters#inOrder()}; {@code scale} is one over the whole batch's size, so that the towers'
   * gradients add up to the gradient of the batch's mean.
   */
  static Tower tower(
      Ops tf,
      Parameters p,
      Operand<TFloat32> images,
      Operand<TFloat32> labels,
      Operand<TFloat32> scale,
      boolean poolFirst) {
    Variable<TFloat32> weightsConv1 = p.conv1().weights();
    Variable<TFloat32> biasesConv1 = p.conv1().biases();
    Variable<TFloat32> weightsConv2 = p.conv2().weights();
    Variable<TFloat32> biasesConv2 = p.conv2().biases();
    Variable<TFloat32> weightsFc1 = p.fc1().weights();
    Variable<TFloat32> biasesFc1 = p.fc1().biases();
    Variable<TFloat32> weightsFc2 = p.fc2().weights();
    Variable<TFloat32> biasesFc2 = p.fc2().biases();

    // Forward, as Layers builds it.
    ReluAndPool layer1 =
        new ReluAndPool(
            tf,
            tf.nn.biasAdd(
                tf.nn.conv2d(images, weightsConv1, Layers.UNIT_STRIDES, "SAME"), biasesConv1),
            poolFirst);
    Operand<TFloat32> pool1 = layer1.output;
    ReluAndPool layer2 =
        new ReluAndPool(
            tf,
            tf.nn.biasAdd(Layers.convolveAsFilterGradient(tf, pool1, weightsConv2), biasesConv2),
            poolFirst);
    Operand<TFloat32> pool2 = layer2.output;
    Operand<TFloat32> flat =
        tf.reshape(pool2, tf.constant(new long[] {-1, weightsFc1.shape().size(0)}));
    Operand<TFloat32> hidden =
        tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(flat, weightsFc1), biasesFc1));
    Operand<TFloat32> logits = tf.nn.biasAdd(tf.linalg.matMul(hidden, weightsFc2), biasesFc2);
    SoftmaxCrossEntropyWithLogits<TFloat32> crossEntropy =
        tf.nn.softmaxCrossEntropyWithLogits(logits, labels);

    // Backward: softmax cross-entropy's own gradient, then each layer in reverse.
    Operand<TFloat32> gradLogits = tf.math.mul(crossEntropy.backprop(), scale);
    Operand<TFloat32> gradWeightsFc2 = matMul(tf, hidden, gradLogits, true, false);
    Operand<TFloat32> gradBiasesFc2 = tf.nn.biasAddGrad(gradLogits);
    Operand<TFloat32> gradHidden =
        tf.nn.reluGrad(matMul(tf, gradLogits, weightsFc2, false, true), hidden);
    Operand<TFloat32> gradWeightsFc1 = matMul(tf, flat, gradHidden, true, false);
    Operand<TFloat32> gradBiasesFc1 = tf.nn.biasAddGrad(gradHidden);
    Operand<TFloat32> gradPool2 =
        tf.reshape(matMul(tf, gradHidden, weightsFc1, false, true), tf.shape(pool2));
    Operand<TFloat32> gradRelu2 = layer2.gradient(gradPool2);
    Operand<TFloat32> gradWeightsConv2 =
        tf.nn.conv2dBackpropFilter(
            pool1, sizeOf(tf, weightsConv2), gradRelu2, Layers.UNIT_STRIDES, "SAME");
    Operand<TFloat32> gradBiasesConv2 = tf.nn.biasAddGrad(gradRelu2);
    // The input gradient of a SAME, stride-1 convolution is the convolution of the output
    // gradient with the filters mirrored in space and with input and output channels swapped.
    Operand<TFloat32> mirrored =
        tf.linalg.transpose(
            tf.reverse(weightsConv2, tf.constant(new int[] {0, 1})),
            tf.constant(new int[] {0, 1, 3, 2}));
    Operand<TFloat32> gradPool1 = Layers.convolveAsFilterGradient(tf, gradRelu2, mirrored);
    Operand<TFloat32> gradRelu1 = layer1.gradient(gradPool1);
    Operand<TFloat32> gradWeightsConv1 =
        tf.nn.conv2dBackpropFilter(
            images, sizeOf(tf, weightsConv1), gradRelu1, Layers.UNIT_STRIDES, "SAME");
    Operand<TFloat32> gradBiasesConv1 = tf.nn.biasAddGrad(gradRelu1);

    return new Tower(
        tf.sum(crossEntropy.loss(), tf.constant(0)),
        correctCount(tf, logits, labels),
        List.of(
            gradWeightsConv1,
            gradBiasesConv1,
            gradWeightsConv2,
            gradBiasesConv2,
            gradWeightsFc1,
            gradBiasesFc1,
            gradWeightsFc2,
            gradBiasesFc2));
  }

  /** How many of the images {@code logits} classify as their one-hot {@code labels} say. */
  static Operand<TFloat32> correctCount(
      Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
    Operand<TInt64> predicted = tf.math.argMax(logits, tf.constant(1));
    Operand<TInt64> actual = tf.math.argMax(labels, tf.constant(1));
    return tf.sum(tf.dtypes.cast(tf.math.equal(predicted, actual), TFloat32.class), tf.constant(0));
  }

  private static Operand<TInt32> sizeOf(Ops tf, Variable<TFloat32> variable) {
    long[] dims = variable.shape().asArray();
    int[] size = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      size[i] = Math.toIntExact(dims[i]);
    }
    return tf.constant(size);
  }

  /**
   * A convolution's ReLU and 2x2 max-pool, in either order, and the gradient back through both.
   * Each ReLU gradient reads the ReLU's output, so the convolution's BiasAdd keeps one reader.
   */
  private static final class ReluAndPool {
    private final Ops tf;
    private final boolean poolFirst;
    private final Operand<TFloat32> input;
    private final Operand<TFloat32> middle;
    final Operand<TFloat32> output;

    ReluAndPool(Ops tf, Operand<TFloat32> input, boolean poolFirst) {
      this.tf = tf;
      this.poolFirst = poolFirst;
      this.input = input;
      middle = poolFirst ? Layers.maxPool(tf, input) : tf.nn.relu(input);
      output = poolFirst ? tf.nn.relu(middle) : Layers.maxPool(tf, middle);
    }

    /** The gradient with respect to the input, given the output's. */
    Operand<TFloat32> gradient(Operand<TFloat32> gradOutput) {
      return poolFirst
          ? maxPoolGrad(tf, input, middle, tf.nn.reluGrad(gradOutput, output))
          : tf.nn.reluGrad(maxPoolGrad(tf, middle, output, gradOutput), middle);
    }
  }

  private static Operand<TFloat32> matMul(
      Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, boolean transposeA, boolean transposeB) {
    return tf.linalg.matMul(a, b, MatMul.transposeA(transposeA).transposeB(transposeB));
  }

  private static Operand<TFloat32> maxPoolGrad(
      Ops tf, Operand<TFloat32> input, Operand<TFloat32> output, Operand<TFloat32> grad) {
    return tf.scope()
        .opBuilder("MaxPoolGrad", "MaxPoolGrad")
        .addInput(input.asOutput())
        .addInput(output.asOutput())
        .addInput(grad.asOutput())
        .setAttr("ksize", Layers.WINDOW_2X2)
        .setAttr("strides", Layers.WINDOW_2X2)
        .setAttr("padding", "SAME")
        .build()
        .output(0);
  }
}
