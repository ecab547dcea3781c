package dev.convnet.results;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** The notebook's printed formats, reproduced exactly. */
public final class Formats {
  private Formats() {}

  /** Python's {@code "{:.1%}"}: 0.906 becomes "90.6%" (half-even, as Python rounds). */
  public static String percent(double fraction) {
    return new BigDecimal(fraction * 100).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
  }

  /**
   * In [39]'s progress line: {@code Optimization Iteration: {0:>6}, Training Accuracy: {1:>6.1%}}.
   */
  public static String iterationLine(long iteration, double accuracy) {
    return String.format(
        "Optimization Iteration: %6d, Training Accuracy: %6s", iteration, percent(accuracy));
  }

  /** Python's {@code str(timedelta(seconds=int(round(s))))}: "0:00:41", hours unpadded. */
  public static String timeUsage(double seconds) {
    long s = Math.round(seconds);
    return String.format("Time usage: %d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
