package dev.convnet.cli;

import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.run.DataSource;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.train.Checkpoint;
import dev.convnet.train.StopSwitch;
import dev.convnet.train.StoppedException;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainConfig.Length;
import dev.convnet.train.TrainingProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code convnet train}: the notebook's training, with a run directory of results. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the notebook's network on Fashion-MNIST and print what the notebook prints.",
      "Writes metrics.json, a SavedModel (saved_model/), checkpoints, TensorBoard events, figures"
          + " and report.html into the run directory.",
      "Ctrl-C stops after the step under way and writes a checkpoint (a second Ctrl-C stops at"
          + " once); --resume continues."
    })
final class TrainCommand implements Callable<Integer> {
  private static final ModelConfig NOTEBOOK_NET = ModelConfig.notebook();

  @Option(
      names = "--recipe",
      paramLabel = "NAME",
      defaultValue = "default",
      converter = RecipeConverter.class,
      description =
          "default (91% in about a minute on 2 cores), notebook (its exact recipe), best (longest,"
              + " most accurate). Default: ${DEFAULT-VALUE}.")
  TrainConfig recipe;

  @Option(
      names = "--notebook",
      description = "The notebook's exact recipe (the same as --recipe notebook).")
  boolean notebook;

  @Option(
      names = "--iterations",
      paramLabel = "N",
      description = "Optimization iterations, instead of the recipe's length.")
  Long iterations;

  @Option(
      names = "--epochs",
      paramLabel = "E",
      description = "Passes over the training images, instead of --iterations.")
  Long epochs;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Images per iteration (every recipe: " + TrainConfig.BATCH_SIZE + ").")
  Integer batchSize;

  @Option(
      names = "--learning-rate",
      paramLabel = "LR",
      description =
          "Adam's (peak) learning rate (default and best: "
              + TrainConfig.PEAK_LEARNING_RATE
              + "; notebook: "
              + TrainConfig.NOTEBOOK_LEARNING_RATE
              + ").")
  Float learningRate;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description =
          "Seed of initial weights, batch order, augmentation and dropout (default: "
              + TrainConfig.SEED
              + ").")
  Long seed;

  @Option(
      names = "--validation-size",
      paramLabel = "N",
      description =
          "First training images held out for validation (default: "
              + TrainConfig.VALIDATION_SIZE
              + ").")
  Integer validationSize;

  @Option(
      names = "--checkpoint-every",
      paramLabel = "N",
      description =
          "Write a checkpoint every N iterations (default: at each epoch's end; always at the end).")
  Long checkpointEvery;

  @Option(
      names = "--precision",
      paramLabel = "P",
      converter = PrecisionConverter.class,
      description =
          "fp32 (exact, reproducible) or bf16 (oneDNN computes convolutions and matrix products in"
              + " bfloat16 on CPUs that have it; faster). Default: fp32.")
  TrainConfig.Precision precision;

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      description =
          "Where to write the results (default: runs/<timestamp>). Must be new or empty unless --force.")
  Path runDir;

  @Option(
      names = "--force",
      description =
          "Write into a run directory that already holds files, replacing this run's outputs there.")
  boolean force;

  @Option(
      names = "--resume",
      paramLabel = "RUN_DIR",
      description =
          "Continue an interrupted run from its last checkpoint to its planned end, with its own settings.")
  Path resume;

  @Option(
      names = "--filter-size1",
      paramLabel = "N",
      description = "Layer 1 filters are N x N pixels, N odd (notebook: ${DEFAULT-VALUE}).")
  int filterSize1 = NOTEBOOK_NET.filterSize1();

  @Option(
      names = "--num-filters1",
      paramLabel = "N",
      description = "Filters in layer 1 (notebook: ${DEFAULT-VALUE}).")
  int numFilters1 = NOTEBOOK_NET.numFilters1();

  @Option(
      names = "--filter-size2",
      paramLabel = "N",
      description = "Filters of layer 2 and later are N x N, N odd (notebook: ${DEFAULT-VALUE}).")
  int filterSize2 = NOTEBOOK_NET.filterSize2();

  @Option(
      names = "--num-filters2",
      paramLabel = "N",
      description = "Filters in layer 2 and later (notebook: ${DEFAULT-VALUE}).")
  int numFilters2 = NOTEBOOK_NET.numFilters2();

  @Option(
      names = "--fc-size",
      paramLabel = "N",
      description = "Neurons in each hidden fully-connected layer (notebook: ${DEFAULT-VALUE}).")
  int fcSize = NOTEBOOK_NET.fcSize();

  @Option(
      names = "--conv-layers",
      paramLabel = "N",
      description =
          "Convolutional layers, 2 to 5; the third and later are like layer 2 (notebook: ${DEFAULT-VALUE}).")
  int convLayers = NOTEBOOK_NET.convLayers();

  @Option(
      names = "--fc-layers",
      paramLabel = "N",
      description =
          "Hidden fully-connected layers of --fc-size before the logits, 1 to 4 (notebook: ${DEFAULT-VALUE}).")
  int fcLayers = NOTEBOOK_NET.fcLayers();

  @Option(
      names = "--pooling",
      paramLabel = "KIND",
      converter = PoolingConverter.class,
      description =
          "max, avg, none, or stride (a 2x2-strided convolution instead of a pool) (notebook: max).")
  Pooling pooling = NOTEBOOK_NET.pooling();

  @Option(
      names = "--pool-first",
      description =
          "Pool, then the activation, as the notebook orders them: the same function for"
              + " max-pooling, with 4x fewer activations.")
  boolean poolFirst = NOTEBOOK_NET.poolFirst();

  @Option(
      names = "--activation",
      paramLabel = "F",
      converter = ActivationConverter.class,
      description = "relu or sigmoid, in the convolutional and hidden layers (notebook: relu).")
  Activation activation = NOTEBOOK_NET.activation();

  @Option(
      names = "--relu-last",
      description = "A ReLU on the logits layer as well (the notebook has none).")
  boolean reluLast = NOTEBOOK_NET.reluLast();

  @Option(
      names = "--dropout",
      paramLabel = "RATE",
      description =
          "Drop each fc1 output with this probability while training; never when evaluating"
              + " or serving (notebook: ${DEFAULT-VALUE}).")
  float dropout = NOTEBOOK_NET.dropout();

  @Option(names = "--no-figures", description = "Skip the figures and report.html.")
  boolean noFigures;

  @Option(
      names = "--no-progress",
      description = "No live progress bar (it is also off when stdout is not a terminal).")
  boolean noProgress;

  @Spec CommandSpec spec;

  /** Flags that fix what a run computes: a resumed run takes them from its checkpoint. */
  private static final List<String> FIXED_BY_CHECKPOINT =
      List.of(
          "--recipe",
          "--notebook",
          "--iterations",
          "--epochs",
          "--batch-size",
          "--learning-rate",
          "--seed",
          "--validation-size",
          "--run-dir",
          "--force",
          "--checkpoint-every",
          "--precision");

  private static final List<String> ARCHITECTURE =
      List.of(
          "--filter-size1",
          "--num-filters1",
          "--filter-size2",
          "--num-filters2",
          "--fc-size",
          "--conv-layers",
          "--fc-layers",
          "--pooling",
          "--pool-first",
          "--activation",
          "--relu-last",
          "--dropout");

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Where where = new CommonOptions.Where();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    TrainingRun.Request request = resume != null ? resumeRequest() : freshRequest();
    StopSwitch stop = new StopSwitch();
    Interrupts.onStop(stop);
    try (TrainingProgress progress = progress()) {
      RunResult result =
          TrainingRun.run(
              request.withStop(stop), DataSource.fashionMnist(dataOptions.dataDir), progress);
      return result.test().total() > 0 ? 0 : 1;
    } catch (StoppedException e) {
      return stop.exitCode();
    }
  }

  private TrainingRun.Request freshRequest() {
    if (notebook && recipe != TrainConfig.DEFAULT && recipe != TrainConfig.NOTEBOOK) {
      throw new IllegalArgumentException(
          "--notebook and --recipe " + recipe.recipe() + " contradict each other; give one");
    }
    if (iterations != null && epochs != null) {
      throw new IllegalArgumentException("give --iterations or --epochs, not both");
    }
    TrainConfig training = notebook ? TrainConfig.NOTEBOOK : recipe;
    if (iterations != null) {
      training = training.withLength(Length.iterations(iterations));
    }
    if (epochs != null) {
      training = training.withLength(Length.epochs(epochs));
    }
    if (batchSize != null) {
      training = training.withBatchSize(batchSize);
    }
    if (learningRate != null) {
      training = training.withLearningRate(learningRate);
    }
    if (seed != null) {
      training = training.withSeed(seed);
    }
    if (validationSize != null) {
      training = training.withValidationSize(validationSize);
    }
    if (checkpointEvery != null) {
      if (checkpointEvery <= 0) {
        throw new IllegalArgumentException(
            "--checkpoint-every must be positive, got " + checkpointEvery);
      }
      training = training.withCheckpointEvery(checkpointEvery);
    }
    if (precision != null) {
      training = training.withPrecision(precision);
    }
    Precisions.require(training.precision());
    return new TrainingRun.Request(
        askedModel(),
        training,
        runDir, // null: TrainingRun creates runs/<time> once every check has passed
        false,
        force,
        where.device,
        !noFigures,
        null);
  }

  private ModelConfig askedModel() {
    return ModelConfig.notebook()
        .withSizes(filterSize1, numFilters1, filterSize2, numFilters2, fcSize)
        .withVariants(convLayers, fcLayers, pooling, poolFirst, activation, reluLast, dropout);
  }

  private TrainingRun.Request resumeRequest() {
    ParseResult parsed = spec.commandLine().getParseResult();
    for (String flag : FIXED_BY_CHECKPOINT) {
      if (parsed.hasMatchedOption(flag)) {
        throw new IllegalArgumentException(
            flag
                + " cannot be combined with --resume: a resumed run keeps the settings it started with");
      }
    }
    if (Files.isRegularFile(resume)) {
      throw new IllegalArgumentException(
          "--resume " + resume + " is a file; give the run's folder, such as runs/<timestamp>");
    }
    Checkpoint.State state = Checkpoint.readState(resume);
    if (ARCHITECTURE.stream().anyMatch(parsed::hasMatchedOption)
        && !askedModel().equals(state.model())) {
      throw new IllegalArgumentException(
          "the checkpoint in "
              + resume
              + " has a different network ("
              + state.model().describe()
              + ") than asked ("
              + askedModel().describe()
              + "); resume without network flags");
    }
    Precisions.require(state.training().precision());
    return new TrainingRun.Request(null, null, resume, true, false, where.device, !noFigures, null);
  }

  private TrainingProgress progress() {
    boolean live = !noProgress && System.console() != null;
    return live ? new ConsoleProgress(System.out) : TrainingProgress.lines(System.out);
  }

  /** Recipe names in any case. */
  static final class RecipeConverter implements ITypeConverter<TrainConfig> {
    @Override
    public TrainConfig convert(String value) {
      try {
        return TrainConfig.recipe(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Pooling kinds in any case. */
  static final class PoolingConverter implements ITypeConverter<Pooling> {
    @Override
    public Pooling convert(String value) {
      return CommonOptions.enumValue(Pooling.class, value, "pooling", "max, avg, none or stride");
    }
  }

  /** Activations in any case. */
  static final class ActivationConverter implements ITypeConverter<Activation> {
    @Override
    public Activation convert(String value) {
      return CommonOptions.enumValue(Activation.class, value, "activation", "relu or sigmoid");
    }
  }

  /** Precisions in any case. */
  static final class PrecisionConverter implements ITypeConverter<TrainConfig.Precision> {
    @Override
    public TrainConfig.Precision convert(String value) {
      return CommonOptions.enumValue(
          TrainConfig.Precision.class, value, "precision", "fp32 or bf16");
    }
  }
}
