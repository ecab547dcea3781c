package dev.convnet.train;

import dev.convnet.model.ModelConfig;
import java.nio.file.Path;

/**
 * Writes the run's checkpoint when one is due: every {@code checkpointEvery} iterations, or at each
 * epoch's end when that is 0. The run's end writes its own.
 */
public final class CheckpointListener implements TrainingListener {
  private final Path runDir;
  private final ModelConfig model;

  public CheckpointListener(Path runDir, ModelConfig model) {
    this.runDir = runDir;
    this.model = model;
  }

  @Override
  public void afterStep(Trainer trainer) {
    long done = trainer.totalIterations();
    long every = trainer.config().checkpointEvery();
    boolean due = every > 0 ? done % every == 0 : done % trainer.iterationsPerEpoch() == 0;
    if (due && done < trainer.plannedIterations()) {
      save(trainer);
    }
  }

  /** Saves the trainer's network and state now. */
  public void save(Trainer trainer) {
    Checkpoint.save(runDir, trainer.net(), stateOf(trainer));
  }

  private Checkpoint.State stateOf(Trainer trainer) {
    return new Checkpoint.State(
        model,
        trainer.config(),
        trainer.totalIterations(),
        trainer.trainSecondsIncludingCurrent(),
        trainer.history());
  }
}
