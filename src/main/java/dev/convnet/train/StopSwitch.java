package dev.convnet.train;

/**
 * A request to stop training after the step under way, set from a signal handler (Ctrl-C, SIGTERM)
 * and checked after every step: the run then writes a checkpoint and can resume.
 */
public final class StopSwitch implements TrainingListener {
  private volatile int exitCode;

  /** Asks training to stop; {@code exitCode} is what the process should end with (130, 143). */
  public void request(int code) {
    exitCode = code;
  }

  public boolean requested() {
    return exitCode != 0;
  }

  /** The exit code asked for, or 0 when no stop was asked. */
  public int exitCode() {
    return exitCode;
  }

  @Override
  public void afterStep(Trainer trainer) {
    if (requested()) {
      throw new StoppedException(trainer.totalIterations());
    }
  }
}
