package dev.convnet.train;

import dev.convnet.results.History;

/** Mirrors the logged numbers to TensorBoard: loss, accuracy and learning rate, validation. */
public final class TensorBoardListener implements TrainingListener {
  private final TensorBoardLog log;

  public TensorBoardListener(TensorBoardLog log) {
    this.log = log;
  }

  @Override
  public void loggedStep(History.Step step) {
    log.scalar("loss", step.iteration(), step.cost());
    log.scalar("accuracy/train", step.iteration(), step.trainAccuracy());
    log.scalar("learning_rate", step.iteration(), step.learningRate());
  }

  @Override
  public void epochEnd(History.EpochEnd end) {
    log.scalar("accuracy/validation", end.iteration(), end.validationAccuracy());
    log.flush();
  }
}
