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
 * Adam (Kingma and Ba), the optimizer of cell In [31]: its state (two moments of every variable and
 * the two beta powers, the variables a checkpoint keeps besides the weights), from which {@link
 * #minimize} builds a {@link Step} of TensorFlow's {@code ApplyAdam} ops, as TF1's {@code
 * tf.train.AdamOptimizer(...).minimize(cost)} does.
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

  /** One Adam step: the op to run, and the gradient it applies to each variable, in order. */
  public record Step(Op op, List<Operand<TFloat32>> gradients) {}

  private final Ops adam;
  private final List<Variable<TFloat32>> variables;
  private final List<Variable<TFloat32>> slots = new ArrayList<>();
  private final Variable<TFloat32> beta1Power;
  private final Variable<TFloat32> beta2Power;

  /** Adds Adam's state for {@code variables} to the graph {@code tf} builds, under "adam". */
  public AdamOptimizer(Ops tf, List<Variable<TFloat32>> variables) {
    this.adam = tf.withSubScope("adam");
    this.variables = List.copyOf(variables);
    beta1Power = adam.withName("beta1_power").variable(adam.constant(BETA1));
    beta2Power = adam.withName("beta2_power").variable(adam.constant(BETA2));
    for (Variable<TFloat32> variable : variables) {
      for (int moment = 0; moment < 2; moment++) {
        slots.add(adam.variable(adam.zeros(adam.constant(variable.shape()), TFloat32.class)));
      }
    }
  }

  /** The variables this optimizer moves, in order. */
  public List<Variable<TFloat32>> variables() {
    return variables;
  }

  /** The first and second moment of each variable, in turn: m0, v0, m1, v1, ... */
  public List<Variable<TFloat32>> slots() {
    return List.copyOf(slots);
  }

  public Variable<TFloat32> beta1Power() {
    return beta1Power;
  }

  public Variable<TFloat32> beta2Power() {
    return beta2Power;
  }

  /** In [31]: a step that lowers {@code loss}, its gradients by TensorFlow's addGradients. */
  public Step minimize(Operand<TFloat32> loss, Operand<TFloat32> learningRate) {
    return apply("optimizer", gradients(adam, loss, variables), learningRate);
  }

  /** The gradient of {@code loss} with respect to each of {@code variables}, by addGradients. */
  public static List<Operand<TFloat32>> gradients(
      Ops tf, Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
    Gradients gradients = tf.gradients(loss, variables);
    List<Operand<TFloat32>> dy = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      dy.add(gradients.dy(i));
    }
    return dy;
  }

  /**
   * A step named {@code name} that moves each variable by its gradient in {@code gradients}
   * (computed elsewhere, in the variables' order). Every step built from one optimizer advances the
   * same state: a graph may hold several and run any one of them at each iteration.
   */
  public Step apply(
      String name, List<Operand<TFloat32>> gradients, Operand<TFloat32> learningRate) {
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
              slots.get(2 * i),
              slots.get(2 * i + 1),
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
        adam.withControlDependencies(List.of(nextBeta1Power, nextBeta2Power)).withName(name).noOp();
    return new Step(step, gradient);
  }
}
