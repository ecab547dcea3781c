package dev.convnet.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The step times of one measuring window.
 *
 * @param batchSize images per step
 * @param stepNanos each step's time
 */
public record StepWindow(int batchSize, List<Long> stepNanos) {
  public StepWindow {
    if (stepNanos.isEmpty()) {
      throw new IllegalArgumentException("a window needs at least one step");
    }
    stepNanos = List.copyOf(stepNanos);
  }

  /** The steps' summed time, in seconds: the time between steps is not training. */
  public double seconds() {
    return stepNanos.stream().mapToLong(Long::longValue).sum() / 1e9;
  }

  public double imagesPerSecond() {
    return stepNanos.size() * (double) batchSize / seconds();
  }

  /**
   * The nearest-rank percentile {@code p} ({@code 0 < p <= 100}) of the step times, in
   * milliseconds.
   */
  public double percentileMs(double p) {
    return percentile(stepNanos.stream().mapToLong(Long::longValue).toArray(), p) / 1e6;
  }

  /**
   * The nearest-rank percentile {@code p} of {@code values}: the smallest value with p% at or under
   * it.
   */
  public static long percentile(long[] values, double p) {
    if (values.length == 0 || !(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile " + p + " of " + values.length + " values");
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }
}
