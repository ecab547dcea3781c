package dev.convnet.train;

import java.util.function.DoubleUnaryOperator;

/** The learning rate at each iteration of a planned run. */
@FunctionalInterface
public interface LearningRateSchedule {
  float rate(long iteration);

  /** The notebook's schedule: the same rate throughout. */
  static LearningRateSchedule constant(float rate) {
    return iteration -> rate;
  }

  /**
   * A short linear warm-up, then a cosine decay to zero at {@code totalIterations}: large steps
   * while the weights are far off, fine ones at the end, so a few epochs reach a good minimum.
   */
  static LearningRateSchedule warmupCosine(
      float peak, long warmupIterations, long totalIterations) {
    return afterWarmup(
        peak, warmupIterations, totalIterations, done -> 0.5 * (1 + Math.cos(Math.PI * done)));
  }

  /**
   * A linear warm-up to {@code peak}, then a straight line down to zero at {@code totalIterations}:
   * the one-cycle triangle, which spends more of a short run at high rates than the cosine does.
   */
  static LearningRateSchedule warmupLinear(
      float peak, long warmupIterations, long totalIterations) {
    return afterWarmup(peak, warmupIterations, totalIterations, done -> 1 - done);
  }

  /**
   * A linear warm-up to {@code peak}, then {@code peak * decay(done)}, {@code done} the share of
   * the iterations after the warm-up already run, from 0 to 1.
   */
  private static LearningRateSchedule afterWarmup(
      float peak, long warmupIterations, long totalIterations, DoubleUnaryOperator decay) {
    return iteration -> {
      if (iteration < warmupIterations) {
        return peak * (iteration + 1) / warmupIterations;
      }
      double done =
          Math.min(
              1.0,
              (double) (iteration - warmupIterations)
                  / Math.max(1, totalIterations - warmupIterations));
      return (float) (peak * decay.applyAsDouble(done));
    };
  }
}
