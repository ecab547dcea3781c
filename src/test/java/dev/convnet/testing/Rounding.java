package dev.convnet.testing;

import dev.convnet.model.ModelConfig;

/**
 * Float32 rounding bounds for tests that compare two computations of the same number (two graphs,
 * two kernels, two batch sizes), so that a tolerance is derived, not tuned to the CPU at hand.
 *
 * <p>The rule (Higham, "Accuracy and Stability of Numerical Algorithms", section 3.1): a float32
 * sum of {@code n} products differs from the exact sum by at most {@code n u} times the sum of the
 * terms' magnitudes, {@code u = 2^-24}, whatever order the kernel adds them in; two computations
 * differ by at most twice that. Where a value comes from a chain of such sums (a logit from four
 * layers), the terms of every sum on the chain count. The sum of magnitudes is taken at the size of
 * the largest value of the same tensor, the scale of the activations and gradients that are
 * multiplied; the bound is the worst case ({@code n}, where rounding errors of random sign grow as
 * {@code sqrt(n)}), which covers the cancellation a single value may have.
 */
public final class Rounding {
  private Rounding() {}

  /** float32's unit roundoff: half the gap between 1 and the next float. */
  public static final double UNIT = Math.scalb(1.0, -24);

  /** How far two computations of a value summing {@code terms} products of {@code scale} may be. */
  public static double twoComputations(long terms, double scale) {
    return 2 * terms * UNIT * scale;
  }

  /**
   * Products summed on the way from a pixel to a logit in the notebook's network: conv1's filter
   * (5x5x1), conv2's (5x5x16), fc1's inputs (1764) and fc2's (128); 2,317 for In [2]'s sizes.
   */
  public static long forwardTerms(ModelConfig config) {
    long conv1 = (long) config.filterSize1() * config.filterSize1() * ModelConfig.NUM_CHANNELS;
    long conv2 = (long) config.filterSize2() * config.filterSize2() * config.numFilters1();
    long side = ModelConfig.IMG_SIZE / 4;
    return conv1 + conv2 + side * side * config.numFilters2() + config.fcSize();
  }

  /** The largest magnitude in {@code values}. */
  public static double largest(float[] values) {
    double largest = 0;
    for (float v : values) {
      largest = Math.max(largest, Math.abs(v));
    }
    return largest;
  }

  /**
   * How many of {@code n} rows of {@code logits} ({@code classes} each) have their two largest
   * values within {@code tolerance}: rows whose argmax two computations may disagree on.
   */
  public static int ambiguousRows(float[] logits, int n, int classes, double tolerance) {
    int ambiguous = 0;
    for (int i = 0; i < n; i++) {
      double first = Double.NEGATIVE_INFINITY;
      double second = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double v = logits[i * classes + c];
        if (v > first) {
          second = first;
          first = v;
        } else if (v > second) {
          second = v;
        }
      }
      if (first - second <= tolerance) {
        ambiguous++;
      }
    }
    return ambiguous;
  }
}
