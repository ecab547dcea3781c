package dev.convnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class BatchSourceTest {
  @Test
  void anEpochVisitsEveryIndexOnceInBatches() {
    BatchSource source = new BatchSource(103, 10, 7);
    assertEquals(11, source.batchesPerEpoch());
    BitSet seen = new BitSet();
    int total = 0;
    for (int b = 0; b < source.batchesPerEpoch(); b++) {
      int[] batch = source.next();
      assertEquals(b < 10 ? 10 : 3, batch.length);
      for (int i : batch) {
        assertFalse(seen.get(i), "index " + i + " twice in one epoch");
        seen.set(i);
      }
      total += batch.length;
    }
    assertEquals(103, total);
    assertEquals(103, seen.cardinality());
  }

  @Test
  void theSameSeedGivesTheSameOrderAndAnotherSeedAnother() {
    assertArrayEquals(
        new BatchSource(1000, 64, 42).epochOrder(0), new BatchSource(1000, 64, 42).epochOrder(0));
    assertFalse(
        Arrays.equals(
            new BatchSource(1000, 64, 42).epochOrder(0),
            new BatchSource(1000, 64, 43).epochOrder(0)));
    assertFalse(
        Arrays.equals(
            new BatchSource(1000, 64, 42).epochOrder(0),
            new BatchSource(1000, 64, 42).epochOrder(1)),
        "each epoch is shuffled anew");
  }

  @Test
  void seekResumesExactlyWhereAnUninterruptedSourceIs() {
    BatchSource straight = new BatchSource(100, 8, 3);
    for (int i = 0; i < 17; i++) {
      straight.next();
    }
    BatchSource resumed = new BatchSource(100, 8, 3);
    resumed.seek(17);
    for (int i = 0; i < 30; i++) {
      assertArrayEquals(straight.next(), resumed.next(), "batch " + (17 + i));
    }
  }
}
