package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  /** One 6x6 image with a single lit pixel at (row 2, column 1). */
  private static float[] dot() {
    float[] x = new float[36];
    x[2 * 6 + 1] = 1f;
    return x;
  }

  @Test
  void eachImageIsMirroredAndOrShiftedByAtMostTwoPixels() {
    Augmentation augmentation = new Augmentation(7);
    for (long iteration = 0; iteration < 50; iteration++) {
      float[] x = dot();
      augmentation.apply(x, 1, 6, iteration);
      int lit = -1;
      for (int i = 0; i < 36; i++) {
        if (x[i] == 1f) {
          lit = i;
        }
      }
      if (lit < 0) {
        continue; // shifted out of this tiny image
      }
      int row = lit / 6;
      int col = lit % 6;
      assertTrue(Math.abs(row - 2) <= 2, "row " + row);
      boolean plain = Math.abs(col - 1) <= 2;
      boolean mirrored = Math.abs(col - 4) <= 2;
      assertTrue(plain || mirrored, "column " + col);
      assertEquals(1f, (float) Arrays.stream(box(x)).mapToDouble(Float::doubleValue).sum(), 0f);
    }
  }

  @Test
  void theSameSeedAndIterationGiveTheSameBatchWhateverCameBefore() {
    float[] a = dot();
    float[] b = dot();
    new Augmentation(3).apply(a, 1, 6, 41);
    Augmentation other = new Augmentation(3);
    other.apply(dot(), 1, 6, 40);
    other.apply(b, 1, 6, 41);
    assertArrayEquals(a, b);
    boolean anyDifferent = false;
    for (long it = 0; it < 20 && !anyDifferent; it++) {
      float[] c = dot();
      new Augmentation(3).apply(c, 1, 6, it);
      anyDifferent = !Arrays.equals(c, dot());
    }
    assertTrue(anyDifferent, "it changes images");
    assertFalse(
        Arrays.equals(apply(3, 5), apply(4, 5))
            && Arrays.equals(apply(3, 6), apply(4, 6))
            && Arrays.equals(apply(3, 7), apply(4, 7)),
        "another seed, other transforms");
  }

  private static float[] apply(long seed, long iteration) {
    float[] x = dot();
    new Augmentation(seed).apply(x, 1, 6, iteration);
    return x;
  }

  private static Float[] box(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
