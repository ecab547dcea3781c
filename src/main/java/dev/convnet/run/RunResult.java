package dev.convnet.run;

import dev.convnet.results.Evaluation;
import dev.convnet.results.History;
import java.nio.file.Path;

/**
 * What a training run reached, for callers and tests to check.
 *
 * @param runDir where it wrote its outputs
 * @param test the final network's predictions on the test set
 * @param validation the same on the validation set, or null without one
 * @param record what metrics.json holds
 */
public record RunResult(Path runDir, Evaluation test, Evaluation validation, RunRecord record) {
  public double testAccuracy() {
    return test.accuracy();
  }

  public double validationAccuracy() {
    return validation == null ? Double.NaN : validation.accuracy();
  }

  public long iterations() {
    return record.results().iterations();
  }

  public History history() {
    return record.history();
  }
}
