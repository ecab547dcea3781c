package dev.convnet.train;

import dev.convnet.results.History;

/** Hears about training as it goes; one implementation per concern, composed in a list. */
public interface TrainingListener {
  /** A step was printed and logged (every 100 iterations). */
  default void loggedStep(History.Step step) {}

  /** An epoch ended and the validation set was measured. */
  default void epochEnd(History.EpochEnd end) {}

  /** Any step finished; {@code trainer.totalIterations()} counts all steps so far. */
  default void afterStep(Trainer trainer) {}
}
