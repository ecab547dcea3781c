package dev.convnet.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mini-batches of training indices: each epoch is a seeded shuffle of all {@code size} indices, cut
 * into batches of {@code batchSize} (the last one smaller when the size does not divide).
 *
 * <p>This replaces the notebook's {@code random_batch} (In [37]), a generator that In [39] tries to
 * unpack as if it were one batch. The order depends only on the seed and the epoch, so a run can
 * resume at any batch: see {@link #seek(long)}.
 */
public final class BatchSource {
  private final int size;
  private final int batchSize;
  private final long seed;
  private int[] order;
  private long epoch = -1;
  private int position;

  public BatchSource(int size, int batchSize, long seed) {
    if (size <= 0 || batchSize <= 0) {
      throw new IllegalArgumentException(
          "size and batch size must be positive: " + size + ", " + batchSize);
    }
    this.size = size;
    this.batchSize = batchSize;
    this.seed = seed;
    startEpoch(0);
  }

  /** Batches in one epoch: every index once. */
  public int batchesPerEpoch() {
    return batchesPerEpoch(size, batchSize);
  }

  /**
   * Batches of {@code batchSize} that cover {@code size} indices, the last one possibly smaller.
   */
  public static int batchesPerEpoch(int size, int batchSize) {
    return (size + batchSize - 1) / batchSize;
  }

  /** The permutation of {@code 0..size-1} used in {@code epoch}. */
  public int[] epochOrder(long epoch) {
    int[] idx = new int[size];
    for (int i = 0; i < size; i++) {
      idx[i] = i;
    }
    // Fisher-Yates with a generator seeded from (seed, epoch): reproducible without replaying
    // earlier epochs.
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx;
  }

  private void startEpoch(long e) {
    epoch = e;
    order = epochOrder(e);
    position = 0;
  }

  /** The next batch of indices, moving to a fresh shuffle when an epoch ends. */
  public int[] next() {
    if (position >= size) {
      startEpoch(epoch + 1);
    }
    int end = Math.min(position + batchSize, size);
    int[] batch = Arrays.copyOfRange(order, position, end);
    position = end;
    return batch;
  }

  /**
   * Puts the source where it is after {@code batchesTaken} calls of {@link #next()} from the start.
   */
  public void seek(long batchesTaken) {
    long e = batchesTaken / batchesPerEpoch();
    int withinEpoch = (int) (batchesTaken % batchesPerEpoch());
    startEpoch(e);
    position = Math.min(withinEpoch * batchSize, size);
  }

  /** The epoch the next batch comes from (0-based). */
  public long epoch() {
    return position >= size ? epoch + 1 : epoch;
  }
}
