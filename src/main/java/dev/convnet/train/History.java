package dev.convnet.train;

import java.util.ArrayList;
import java.util.List;

/** What training logged: cost and accuracy at each logged step, validation accuracy at each epoch. */
public final class History {
  /** One logged training step (1-based iteration, as the notebook prints it). */
  public record Step(long iteration, double cost, double trainAccuracy, double learningRate) {}

  /** Validation accuracy at the end of an epoch (1-based). */
  public record EpochEnd(long epoch, long iteration, double validationAccuracy) {}

  public final List<Step> steps = new ArrayList<>();
  public final List<EpochEnd> epochs = new ArrayList<>();
}
