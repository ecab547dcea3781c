package dev.convnet.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam (Kingma and Ba), the optimizer of cell In [31], built from TensorFlow's {@code ApplyAdam}.
 *
 * <p>Written here rather than taken from {@code tensorflow-framework} 1.1.0, whose {@code Adam}
 * multiplies {@code beta1_power} and {@code beta2_power} without waiting for the apply ops that
 * read them, so a step may see the old or the new powers. Here the power updates run under a
 * control dependency on every apply op, which makes each step exact.
 *
 * <p>A second ordering makes runs repeatable: every apply op waits for every gradient. The
 * variables are TF1-style references, read in place; without that wait, an apply op for the last
 * layer could update its weights while the backward pass still reads them for the gradients of
 * earlier layers, and runs with the same seed drifted apart after a couple of steps.
 */
public final class AdamOptimizer {
  /** Decay of the first-moment (mean) estimate; TensorFlow's default. */
  public static final float BETA1 = 0.9f;

  /** Decay of the second-moment (uncentred variance) estimate; TensorFlow's default. */
  public static final float BETA2 = 0.999f;

  /** Added to the denominator for numerical stability; TF1's AdamOptimizer default. */
  public static final float EPSILON = 1e-8f;

  /** The training op, the gradients it applies, and the state that a checkpoint must hold. */
  public record Minimize(
      Op op,
      List<Operand<TFloat32>> gradients,
      List<Variable<TFloat32>> slots,
      Variable<TFloat32> beta1Power,
      Variable<TFloat32> beta2Power) {}

  private AdamOptimizer() {}

  /** Adds to the graph one Adam step that lowers {@code loss} by changing {@code variables}. */
  public static Minimize minimize(
      Ops tf,
      Operand<TFloat32> loss,
      List<Variable<TFloat32>> variables,
      Operand<TFloat32> learningRate) {
    return apply(tf, gradients(tf, loss, variables), variables, learningRate);
  }

  /** The gradient of {@code loss} with respect to each of {@code variables}, by addGradients. */
  public static List<Operand<TFloat32>> gradients(
      Ops tf, Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
    Gradients gradients = tf.withSubScope("adam").gradients(loss, variables);
    List<Operand<TFloat32>> dy = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      dy.add(gradients.dy(i));
    }
    return dy;
  }

  /**
   * Adds to the graph one Adam step that moves each of {@code variables} by its gradient in {@code
   * gradients} (computed elsewhere, in the same order).
   */
  public static Minimize apply(
      Ops tf,
      List<Operand<TFloat32>> gradients,
      List<Variable<TFloat32>> variables,
      Operand<TFloat32> learningRate) {
    Ops adam = tf.withSubScope("adam");
    Variable<TFloat32> beta1Power = adam.withName("beta1_power").variable(adam.constant(BETA1));
    Variable<TFloat32> beta2Power = adam.withName("beta2_power").variable(adam.constant(BETA2));
    List<Variable<TFloat32>> slots = new ArrayList<>();
    for (Variable<TFloat32> variable : variables) {
      for (int moment = 0; moment < 2; moment++) {
        slots.add(adam.variable(adam.zeros(adam.constant(variable.shape()), TFloat32.class)));
      }
    }
    // The state alone, before any step reads it.
    Minimize state = new Minimize(null, null, slots, beta1Power, beta2Power);
    return applyAlso(tf, "optimizer", gradients, variables, learningRate, state);
  }

  /**
   * An Adam step on {@code variables} with the state (moments and powers) of {@code state}, moving
   * them by {@code gradients}. Called again with the state of an earlier step, it adds a second op
   * that advances the same Adam: either may run at each step.
   */
  public static Minimize applyAlso(
      Ops tf,
      String name,
      List<Operand<TFloat32>> gradients,
      List<Variable<TFloat32>> variables,
      Operand<TFloat32> learningRate,
      Minimize state) {
    Ops adam = tf.withSubScope("adam");
    Variable<TFloat32> beta1Power = state.beta1Power();
    Variable<TFloat32> beta2Power = state.beta2Power();
    Operand<TFloat32> beta1 = adam.constant(BETA1);
    Operand<TFloat32> beta2 = adam.constant(BETA2);
    Operand<TFloat32> epsilon = adam.constant(EPSILON);

    List<Op> gradientsDone = new ArrayList<>();
    List<Operand<TFloat32>> gradient = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Identity<TFloat32> g = adam.identity(gradients.get(i));
      gradient.add(g);
      gradientsDone.add(g);
    }
    Ops afterGradients = adam.withControlDependencies(gradientsDone);

    List<Op> applies = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      applies.add(
          afterGradients.train.applyAdam(
              variables.get(i),
              state.slots().get(2 * i),
              state.slots().get(2 * i + 1),
              beta1Power,
              beta2Power,
              learningRate,
              beta1,
              beta2,
              epsilon,
              gradient.get(i)));
    }
    // The fix: advance the powers only after every apply op has read them.
    Ops afterApplies = adam.withControlDependencies(applies);
    Op nextBeta1Power = afterApplies.assign(beta1Power, afterApplies.math.mul(beta1Power, beta1));
    Op nextBeta2Power = afterApplies.assign(beta2Power, afterApplies.math.mul(beta2Power, beta2));
    Op step =
        tf.withControlDependencies(List.of(nextBeta1Power, nextBeta2Power)).withName(name).noOp();
    return new Minimize(step, gradient, state.slots(), beta1Power, beta2Power);
  }
}
