package dev.convnet.train;

/** Training stopped on request (Ctrl-C, SIGTERM) after a whole step; the run can resume. */
public final class StoppedException extends RuntimeException {
  public StoppedException(long iterations) {
    super("training stopped after iteration " + iterations);
  }
}
