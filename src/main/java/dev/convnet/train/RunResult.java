package dev.convnet.train;

import java.nio.file.Path;

/** What a training run reached, for callers and tests to check. */
public record RunResult(
    Path runDir,
    Evaluation test,
    Evaluation validation,
    long iterations,
    double epochs,
    double trainSeconds,
    double trainImagesPerSecond,
    History history) {

  public double testAccuracy() {
    return test.accuracy();
  }

  public double validationAccuracy() {
    return validation == null ? Double.NaN : validation.accuracy();
  }
}
