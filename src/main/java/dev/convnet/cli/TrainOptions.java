package dev.convnet.cli;

import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainConfig.Length;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code train}'s flags in the sections its help shows. Each field is named as the record field it
 * sets, so an error about a field names the flag (see {@link FlagNames}).
 */
final class TrainOptions {
  private static final ModelConfig NOTEBOOK_NET = ModelConfig.notebook();

  private TrainOptions() {}

  /** A recipe by name, or {@code --notebook}: one or the other. */
  static final class RecipeChoice {
    @Option(
        names = "--recipe",
        paramLabel = "NAME",
        converter = RecipeConverter.class,
        description =
            "default (91%% in under a minute on 2 cores), notebook (its exact recipe), best"
                + " (longest, most accurate), fast (the fewest seconds for about 91%%)."
                + " Default: default.")
    TrainConfig recipe;

    @Option(
        names = "--notebook",
        description = "The notebook's exact recipe (the same as --recipe notebook).")
    boolean notebook;

    TrainConfig chosen() {
      return notebook ? TrainConfig.NOTEBOOK : recipe != null ? recipe : TrainConfig.DEFAULT;
    }
  }

  /** How long: iterations or epochs, not both. */
  static final class LengthChoice {
    @Option(
        names = "--iterations",
        paramLabel = "N",
        description =
            "Optimization iterations, instead of the recipe's length"
                + " (${bundle:recipes.length}).")
    Long iterations;

    @Option(
        names = "--epochs",
        paramLabel = "E",
        description = "Passes over the training images, instead of the recipe's length.")
    Long epochs;

    Length length() {
      return iterations != null ? Length.iterations(iterations) : Length.epochs(epochs);
    }
  }

  /** The schedule: what each step does, from where. */
  static final class Schedule {
    @Option(
        names = "--batch-size",
        paramLabel = "N",
        description = "Images per iteration (${bundle:recipes.batchSize}).")
    Integer batchSize;

    @Option(
        names = "--learning-rate",
        paramLabel = "LR",
        description = "Adam's (peak) learning rate (${bundle:recipes.learningRate}).")
    Float learningRate;

    @Option(
        names = "--schedule",
        paramLabel = "NAME",
        converter = ScheduleConverter.class,
        description =
            "How the rate moves: constant, warmup-cosine or warmup-linear (a triangle)"
                + " (${bundle:recipes.schedule}).")
    TrainConfig.Schedule schedule;

    @Option(
        names = "--warmup-iterations",
        paramLabel = "N",
        description =
            "Iterations of linear warm-up to the peak rate"
                + " (${bundle:recipes.warmupIterations}).")
    Long warmupIterations;

    @Option(
        names = "--whiten-first",
        negatable = true,
        description =
            "Start the first convolution's filters as the whitening of the training images'"
                + " patches, not In [7]'s random weights (${bundle:recipes.whitenFirst});"
                + " --no-whiten-first for off.")
    Boolean whitenFirst;
  }

  /** What training is fed and which weights and views are kept: against overfitting. */
  static final class Regularisation {
    @Option(
        names = "--label-smoothing",
        paramLabel = "S",
        description =
            "Share of each training target spread over all classes, in [0, 1)"
                + " (${bundle:recipes.labelSmoothing}).")
    Float labelSmoothing;

    @Option(
        names = "--average-decay",
        paramLabel = "D",
        description =
            "Evaluate and export a moving average of the weights with this decay, in (0, 1);"
                + " 0 for the last weights (${bundle:recipes.averageDecay}).")
    Float averageDecay;

    @Option(
        names = "--flip-average",
        negatable = true,
        description =
            "Evaluate and export the average of each image's and its mirror's probabilities"
                + " (${bundle:recipes.flipAverage}); --no-flip-average for off.")
    Boolean flipAverage;

    @Option(
        names = "--augment",
        negatable = true,
        description =
            "Randomly mirror and shift the training images (${bundle:recipes.augment});"
                + " --no-augment for off.")
    Boolean augment;
  }

  /** The random seed, and the images held out for validation. */
  static final class Data {
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
  }

  /** The network of In [2]. */
  static final class Network {
    @Option(
        names = "--filter-size1",
        paramLabel = "N",
        description =
            "Layer 1 filters are N x N pixels, N odd (notebook: " + ModelConfig.FILTER_SIZE1 + ").")
    int filterSize1 = ModelConfig.FILTER_SIZE1;

    @Option(
        names = "--num-filters1",
        paramLabel = "N",
        description = "Filters in layer 1 (notebook: " + ModelConfig.NUM_FILTERS1 + ").")
    int numFilters1 = ModelConfig.NUM_FILTERS1;

    @Option(
        names = "--filter-size2",
        paramLabel = "N",
        description =
            "Filters of layer 2 and later are N x N, N odd (notebook: "
                + ModelConfig.FILTER_SIZE2
                + ").")
    int filterSize2 = ModelConfig.FILTER_SIZE2;

    @Option(
        names = "--num-filters2",
        paramLabel = "N",
        description = "Filters in layer 2 and later (notebook: " + ModelConfig.NUM_FILTERS2 + ").")
    int numFilters2 = ModelConfig.NUM_FILTERS2;

    @Option(
        names = "--fc-size",
        paramLabel = "N",
        description =
            "Neurons in each hidden fully-connected layer (notebook: " + ModelConfig.FC_SIZE + ").")
    int fcSize = ModelConfig.FC_SIZE;
  }

  /** The exercises' variants of the network. */
  static final class Variants {
    @Option(
        names = "--conv-layers",
        paramLabel = "N",
        description = "Convolutional layers, 2 to 5; the third and later are like layer 2 (2).")
    int convLayers = NOTEBOOK_NET.convLayers();

    @Option(
        names = "--fc-layers",
        paramLabel = "N",
        description = "Hidden fully-connected layers of --fc-size before the logits, 1 to 4 (1).")
    int fcLayers = NOTEBOOK_NET.fcLayers();

    @Option(
        names = "--pooling",
        paramLabel = "KIND",
        description =
            "max, avg, none, or stride (a 2x2-strided convolution instead of a pool) (max).")
    Pooling pooling = NOTEBOOK_NET.pooling();

    @Option(
        names = "--pool-first",
        description = "Pool, then the activation, as the notebook orders them (same function).")
    boolean poolFirst = NOTEBOOK_NET.poolFirst();

    @Option(
        names = "--activation",
        paramLabel = "F",
        description = "relu or sigmoid, in the convolutional and hidden layers (relu).")
    Activation activation = NOTEBOOK_NET.activation();

    @Option(
        names = "--relu-last",
        description = "A ReLU on the logits layer as well (the notebook has none).")
    boolean reluLast = NOTEBOOK_NET.reluLast();

    @Option(
        names = "--dropout",
        paramLabel = "RATE",
        description =
            "Drop each fc1 output with this probability while training, never when evaluating (0).")
    float dropout = NOTEBOOK_NET.dropout();
  }

  /** The network the flags describe. */
  static ModelConfig model(Network n, Variants v) {
    return Bind.given(
        Bind.given(ModelConfig.notebook(), n != null ? n : new Network()),
        v != null ? v : new Variants());
  }

  /** Where the run's files go. */
  static final class RunDir {
    static final String RESUME = "--resume";

    @Option(
        names = "--run-dir",
        paramLabel = "DIR",
        description = "Where to write the results (default: runs/<timestamp>); new or empty.")
    Path runDir;

    @Option(
        names = "--force",
        description = "Write into a run directory that holds files, replacing this run's outputs.")
    boolean force;

    @Option(
        names = RESUME,
        paramLabel = "RUN_DIR",
        description = "Continue an interrupted run from its last checkpoint, with its settings.")
    Path resume;

    @Option(
        names = "--checkpoint-every",
        paramLabel = "N",
        description = "A checkpoint every N iterations (default: each epoch's end, and the end).")
    Long checkpointEvery;
  }

  /** What the run shows and draws. */
  static final class Output {
    @Option(names = "--no-figures", description = "Skip the figures and report.html.")
    boolean noFigures;

    @Option(
        names = "--export-base",
        paramLabel = "BASE",
        description =
            "Also write the SavedModel as the next numbered version of BASE (BASE/1, BASE/2, ...),"
                + " whole or not at all, for TensorFlow Serving or serve --model BASE to pick up.")
    Path exportBase;

    @Option(
        names = "--no-progress",
        description = "No live progress bar (also off when stdout is not a terminal).")
    boolean noProgress;
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

  static final class ScheduleConverter implements ITypeConverter<TrainConfig.Schedule> {
    @Override
    public TrainConfig.Schedule convert(String value) {
      for (TrainConfig.Schedule schedule : TrainConfig.Schedule.values()) {
        if (schedule.flag().equalsIgnoreCase(value.trim())) {
          return schedule;
        }
      }
      throw new TypeConversionException(
          "unknown schedule '" + value + "' (choose constant, warmup-cosine or warmup-linear)");
    }
  }
}
