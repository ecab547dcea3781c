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
  /** The share of test images classified right. */
  public double testAccuracy() {
    return test.accuracy();
  }

  /** {@link #testAccuracy} as the notebook prints it, such as {@code 91.3%}. */
  public String testPercent() {
    return dev.convnet.results.Formats.percent(testAccuracy());
  }

  /** The share of validation images classified right; NaN without a validation set. */
  public double validationAccuracy() {
    return validation == null ? Double.NaN : validation.accuracy();
  }

  /** The optimization iterations the run trained. */
  public long iterations() {
    return record.results().iterations();
  }

  /** Cost and accuracy along the run. */
  public History history() {
    return record.history();
  }
}
