package dev.convnet.train;

import java.util.SplittableRandom;

/**
 * Random left-right mirroring and shifts of up to {@link #MAX_SHIFT} pixels, applied to training
 * images as they are batched. Clothes look the same mirrored and slightly moved, so the network
 * sees more variety without any change to it. The randomness of a batch depends only on the seed
 * and the iteration, so a resumed run augments exactly as an uninterrupted one.
 */
public final class Augmentation {
  public static final int MAX_SHIFT = 2;

  private final long seed;

  public Augmentation(long seed) {
    this.seed = seed;
  }

  /**
   * Transforms the {@code n} images of {@code side x side} in {@code x} in place, for {@code
   * iteration}.
   */
  public void apply(float[] x, int n, int side, long iteration) {
    SplittableRandom random = new SplittableRandom(seed * 0x5DEECE66DL + iteration);
    float[] copy = new float[side * side];
    for (int k = 0; k < n; k++) {
      boolean flip = random.nextBoolean();
      int dx = random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
      int dy = random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
      int base = k * side * side;
      System.arraycopy(x, base, copy, 0, side * side);
      for (int y = 0; y < side; y++) {
        for (int c = 0; c < side; c++) {
          int sy = y - dy;
          int sx = (flip ? side - 1 - c : c) - dx;
          x[base + y * side + c] =
              sy < 0 || sy >= side || sx < 0 || sx >= side ? 0f : copy[sy * side + sx];
        }
      }
    }
  }
}
