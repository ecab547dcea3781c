package dev.convnet.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Test-time flip averaging: the class probabilities of each image and of its left-right mirror,
 * averaged. A network trained on randomly mirrored images ({@code best}) sees two views of each
 * image and errs less often; one trained without mirrors would not gain. Evaluation during training
 * and the exported SavedModel build it here, so they compute one function; the notebook's own
 * {@code y_pred}, which the figures and the guide read, stays the single view.
 */
public final class FlipAveraging {
  private FlipAveraging() {}

  /**
   * The averaged probabilities, {@code [n, 10]}, of {@code xImage} ({@code [n, 28, 28, 1]}) through
   * {@code config}'s network over {@code variables}: two copies of the network, the image and its
   * mirror, which run side by side on two cores, their convolutions as {@code convolution} says.
   */
  public static Operand<TFloat32> probabilities(
      Ops tf,
      List<Variable<TFloat32>> variables,
      Operand<TFloat32> xImage,
      ModelConfig config,
      Layers.Convolution convolution) {
    Ops scope = tf.withSubScope("flip_average");
    Ops plainScope = scope.withSubScope("plain");
    Ops mirrorScope = scope.withSubScope("mirrored");
    Operand<TFloat32> mirrored = mirrorScope.reverse(xImage, mirrorScope.constant(new int[] {2}));
    ConvNet.Network plain =
        ConvNet.network(
            Layers.reusing(plainScope, variables, convolution),
            xImage,
            config,
            plainScope.constant(0f));
    ConvNet.Network mirror =
        ConvNet.network(
            Layers.reusing(mirrorScope, variables, convolution),
            mirrored,
            config,
            mirrorScope.constant(0f));
    return scope.math.mul(
        scope.math.add(
            plainScope.nn.softmax(plain.layerFc2()), mirrorScope.nn.softmax(mirror.layerFc2())),
        scope.constant(0.5f));
  }

  /** The class of each image by the averaged probabilities. */
  public static Operand<TInt64> classes(Ops tf, Operand<TFloat32> probabilities) {
    return tf.math.argMax(probabilities, tf.constant(1));
  }
}
