package dev.convnet.train;

import dev.convnet.model.ConvNet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * An exponential moving average of the weights (Polyak averaging), as TF1's {@code
 * tf.train.ExponentialMovingAverage} keeps it: after each step, {@code average = d * average + (1 -
 * d) * weight}, with {@code d = min(decay, (1 + t) / (10 + t))} at step {@code t} so that the first
 * steps are not averaged with the random initial weights for long.
 *
 * <p>A short run at a high learning rate ends with weights that still jump from batch to batch;
 * their average sits nearer the minimum. Evaluation and the exported model use the average: {@link
 * #evaluated} swaps it in around an evaluation, {@link #copyIntoWeights} makes it the model at the
 * end of a run. The averages are variables of the network's graph ({@code weight_average/...}), so
 * a checkpoint keeps them and a resumed run continues them.
 */
public final class WeightAverage {
  private final Session session;
  private final float decay;
  private final Placeholder<TFloat32> stepDecay;
  private final Op update;
  private final Op reset;
  private final Op backUp;
  private final Op swapIn;
  private final Op restore;
  private boolean copied;

  /**
   * Adds the averages of {@code net}'s trainable variables to its graph; call before {@code
   * net.initialize()}, so that initializing or restoring a checkpoint covers them.
   */
  public WeightAverage(ConvNet net, float decay) {
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("the average's decay must be in (0, 1), got " + decay);
    }
    this.session = net.session;
    this.decay = decay;
    Ops tf = Ops.create(net.graph).withSubScope("weight_average");
    stepDecay = tf.withName("decay").placeholder(TFloat32.class);
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), stepDecay);
    List<Op> updates = new ArrayList<>();
    List<Op> resets = new ArrayList<>();
    List<Op> backUps = new ArrayList<>();
    List<Op> swaps = new ArrayList<>();
    List<Op> restores = new ArrayList<>();
    for (Variable<TFloat32> weight : net.trainableVariables) {
      Operand<TFloat32> zeros = tf.zeros(tf.constant(weight.shape()), TFloat32.class);
      Variable<TFloat32> average = tf.variable(zeros);
      Variable<TFloat32> live = tf.variable(zeros);
      // average -= (1 - d) * (average - weight): TF1's update, one op per variable.
      updates.add(tf.assignSub(average, tf.math.mul(tf.math.sub(average, weight), keep)));
      resets.add(tf.assign(average, weight));
      backUps.add(tf.assign(live, weight));
      swaps.add(tf.assign(weight, average));
      restores.add(tf.assign(weight, live));
    }
    update = tf.withControlDependencies(updates).noOp();
    reset = tf.withControlDependencies(resets).noOp();
    backUp = tf.withControlDependencies(backUps).noOp();
    swapIn = tf.withControlDependencies(swaps).noOp();
    restore = tf.withControlDependencies(restores).noOp();
  }

  /** The decay asked for: the weight of the old average at each step, once past the first. */
  public float decay() {
    return decay;
  }

  /** Starts the average at the current weights (a fresh run, after initializing). */
  public void reset() {
    session.runner().addTarget(reset).run();
  }

  /** The decay of step {@code iteration} (0-based): small at first, {@link #decay} later. */
  public float decayAt(long iteration) {
    return (float) Math.min(decay, (1.0 + iteration) / (10.0 + iteration));
  }

  /** Moves the average towards the weights after step {@code iteration} (0-based). */
  public void update(long iteration) {
    try (TFloat32 d = TFloat32.scalarOf(decayAt(iteration))) {
      session.runner().feed(stepDecay, d).addTarget(update).run();
    }
  }

  /** {@code evaluation} computed with the averaged weights; the live weights are back after it. */
  public <T> T evaluated(Supplier<T> evaluation) {
    if (copied) {
      return evaluation.get();
    }
    session.runner().addTarget(backUp).run();
    session.runner().addTarget(swapIn).run();
    try {
      return evaluation.get();
    } finally {
      session.runner().addTarget(restore).run();
    }
  }

  /** Makes the average the network's weights, for the end of a run: evaluation, export, figures. */
  public void copyIntoWeights() {
    session.runner().addTarget(swapIn).run();
    copied = true;
  }
}
