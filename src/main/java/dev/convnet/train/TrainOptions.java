package dev.convnet.train;

import dev.convnet.data.Split;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import java.nio.file.Path;

/**
 * What a training run was asked for. Null fields take the recipe's value.
 *
 * @param recipe          the named recipe that fills in what is not given
 * @param iterations      run length in optimization iterations (exclusive with epochs)
 * @param epochs          run length in passes over the training set
 * @param batchSize       images per iteration
 * @param learningRate    Adam's (peak) learning rate
 * @param seed            seeds initial weights and batch order
 * @param dataDir         folder of the four IDX files, or null to search the usual places
 * @param runDir          where the run writes its outputs
 * @param force           whether a run directory that holds files may be written into
 * @param validationSize  training images held out for validation (the first ones)
 * @param figures         whether to draw the figures and the HTML report
 * @param architecture    filter sizes and counts and fc size (training fields are taken from above)
 * @param checkpointEvery iterations between checkpoints, or null for each epoch's end (and always at the end)
 * @param device          where to train: auto, cpu or gpu
 */
public record TrainOptions(
    Recipe recipe,
    Long iterations,
    Integer epochs,
    Integer batchSize,
    Float learningRate,
    long seed,
    Path dataDir,
    Path runDir,
    boolean force,
    int validationSize,
    boolean figures,
    ModelConfig architecture,
    Long checkpointEvery,
    Device device) {

  public TrainOptions {
    if (iterations != null && epochs != null) {
      throw new IllegalArgumentException("give --iterations or --epochs, not both");
    }
    if (iterations != null && iterations <= 0) {
      throw new IllegalArgumentException("--iterations must be positive, got " + iterations);
    }
    if (epochs != null && epochs <= 0) {
      throw new IllegalArgumentException("--epochs must be positive, got " + epochs);
    }
    if (batchSize != null && batchSize <= 0) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    if (learningRate != null && !(learningRate > 0 && Float.isFinite(learningRate))) {
      throw new IllegalArgumentException("--learning-rate must be a positive number, got " + learningRate);
    }
    if (checkpointEvery != null && checkpointEvery <= 0) {
      throw new IllegalArgumentException("--checkpoint-every must be positive, got " + checkpointEvery);
    }
    if (validationSize < 0) {
      throw new IllegalArgumentException("--validation-size must be 0 or more, got " + validationSize);
    }
  }

  /** The defaults of {@code recipe}, writing to {@code runDir}. */
  public static TrainOptions of(Recipe recipe, Path runDir) {
    return new TrainOptions(recipe, null, null, null, null, ModelConfig.DEFAULT_SEED, null, runDir, false,
        Split.NOTEBOOK_VALIDATION_SIZE, true, ModelConfig.notebook(), null, Device.AUTO);
  }

  public TrainOptions withLength(Long newIterations, Integer newEpochs) {
    return new TrainOptions(recipe, newIterations, newEpochs, batchSize, learningRate, seed, dataDir, runDir, force, validationSize, figures, architecture, checkpointEvery, device);
  }

  public TrainOptions withCheckpointEvery(Long every) {
    return new TrainOptions(recipe, iterations, epochs, batchSize, learningRate, seed, dataDir, runDir, force, validationSize, figures, architecture, every, device);
  }

  public TrainOptions withDevice(Device where) {
    return new TrainOptions(recipe, iterations, epochs, batchSize, learningRate, seed, dataDir, runDir, force, validationSize, figures, architecture, checkpointEvery, where);
  }

  public TrainOptions withDataDir(Path dir) {
    return new TrainOptions(recipe, iterations, epochs, batchSize, learningRate, seed, dir, runDir, force, validationSize, figures, architecture, checkpointEvery, device);
  }

  public TrainOptions withFigures(boolean draw) {
    return new TrainOptions(recipe, iterations, epochs, batchSize, learningRate, seed, dataDir, runDir, force, validationSize, draw, architecture, checkpointEvery, device);
  }

  public int effectiveBatchSize() {
    return batchSize != null ? batchSize : recipe.batchSize;
  }

  public float effectiveLearningRate() {
    return learningRate != null ? learningRate : recipe.learningRate;
  }

  /** The network and training hyperparameters this run uses. */
  public ModelConfig modelConfig() {
    return architecture.withTraining(effectiveBatchSize(), effectiveLearningRate(), seed);
  }

  /** Planned iterations, given how many make an epoch. */
  public long plannedIterations(int iterationsPerEpoch) {
    if (iterations != null) {
      return iterations;
    }
    if (epochs != null) {
      return (long) epochs * iterationsPerEpoch;
    }
    return recipe.iterations > 0 ? recipe.iterations : (long) recipe.epochs * iterationsPerEpoch;
  }
}
