package dev.convnet.testing;

import dev.convnet.train.TrainConfig;

/** Training settings the tests use: the notebook's recipe with another batch, rate or seed. */
public final class Configs {
  private Configs() {}

  /** A constant rate, batches of {@code batchSize}, seeded by {@code seed}. */
  public static TrainConfig constant(int batchSize, float rate, long seed) {
    return TrainConfig.NOTEBOOK.withBatchSize(batchSize).withLearningRate(rate).withSeed(seed);
  }
}
