package dev.convnet.results;

import java.util.ArrayList;
import java.util.List;

/**
 * What training logged: cost and accuracy at each logged step, validation accuracy at each epoch.
 *
 * @param steps one entry every 100 iterations (In [39]'s printout)
 * @param epochs one entry at each epoch's end
 */
public record History(List<Step> steps, List<EpochEnd> epochs) {
  /**
   * One logged training step.
   *
   * @param iteration 1-based, as the notebook prints it
   * @param cost the step's batch cost
   * @param trainAccuracy the batch's accuracy after the step (the notebook's printout)
   * @param learningRate the rate of the step
   * @param meanCost the mean batch cost over the last 100 steps, a smooth curve
   * @param meanAccuracy the mean batch accuracy over the last 100 steps
   */
  public record Step(
      long iteration,
      double cost,
      double trainAccuracy,
      double learningRate,
      double meanCost,
      double meanAccuracy) {}

  /**
   * Validation accuracy at the end of an epoch (1-based), and the run's training seconds by then,
   * counted as the run's total is (0 in files written before it was recorded).
   */
  public record EpochEnd(
      long epoch, long iteration, double validationAccuracy, double trainSeconds) {}

  /** An empty, growing history. */
  public History() {
    this(new ArrayList<>(), new ArrayList<>());
  }

  /** A growing copy of {@code other} (null lists, as an old file may have, read as empty). */
  public static History copyOf(History other) {
    History copy = new History();
    if (other != null) {
      copy.steps.addAll(other.steps == null ? List.of() : other.steps);
      copy.epochs.addAll(other.epochs == null ? List.of() : other.epochs);
    }
    return copy;
  }
}
