package dev.convnet.train;

/** Training stopped on request (Ctrl-C, SIGTERM) after a whole step; the run can resume. */
public final class StoppedException extends RuntimeException {
  private final long iterations;

  public StoppedException(long iterations) {
    super("training stopped after iteration " + iterations);
    this.iterations = iterations;
  }

  /** Steps finished before the stop. */
  public long iterations() {
    return iterations;
  }
}
