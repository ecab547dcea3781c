package dev.convnet.train;

/** Training stopped on request (Ctrl-C, SIGTERM) after a whole step; the run can resume. */
public final class StoppedException extends RuntimeException {
  private final transient java.nio.file.Path runDir;

  public StoppedException(long iterations) {
    this("training stopped after iteration " + iterations, null);
  }

  private StoppedException(String message, java.nio.file.Path runDir) {
    super(message);
    this.runDir = runDir;
  }

  /** The same stop, saying which run directory holds its checkpoint. */
  public StoppedException in(java.nio.file.Path dir) {
    return new StoppedException(getMessage(), dir);
  }

  /** The run directory whose checkpoint holds the stopped run, when known. */
  public java.nio.file.Path runDir() {
    return runDir;
  }
}
