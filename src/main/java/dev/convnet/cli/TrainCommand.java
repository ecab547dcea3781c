package dev.convnet.cli;

import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.Recipe;
import dev.convnet.train.RunDirectory;
import dev.convnet.train.RunResult;
import dev.convnet.train.TrainOptions;
import dev.convnet.train.TrainingProgress;
import dev.convnet.train.TrainingRun;
import dev.convnet.train.Checkpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convnet train}: the notebook's training, with a run directory of results. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Train the notebook's network on Fashion-MNIST and print what the notebook prints.",
        "Writes metrics.json and a SavedModel (saved_model/) into the run directory."})
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--recipe", paramLabel = "NAME", defaultValue = "default",
      description = "default (90%% in under 2 minutes on 2 cores), notebook (its exact recipe), best (longest, most accurate). Default: ${DEFAULT-VALUE}.",
      converter = RecipeConverter.class)
  Recipe recipe;

  @Option(names = "--notebook", description = "The notebook's exact recipe: lr 1e-4, 2,100 iterations of 64 (same as --recipe notebook).")
  boolean notebook;

  @Option(names = "--iterations", paramLabel = "N", description = "Optimization iterations (instead of the recipe's length).")
  Long iterations;

  @Option(names = "--epochs", paramLabel = "E", description = "Passes over the 55,000 training images (instead of --iterations).")
  Integer epochs;

  @Option(names = "--batch-size", paramLabel = "N", description = "Images per iteration (recipe's: 64).")
  Integer batchSize;

  @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam's (peak) learning rate (default recipe: 2e-3; notebook: 1e-4).")
  Float learningRate;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of initial weights and batch order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Where to write the results (default: runs/<timestamp>). Must be new or empty unless --force.")
  Path runDir;

  @Option(names = "--force", description = "Write into a run directory that already holds files, replacing this run's outputs there.")
  boolean force;

  @Option(names = "--validation-size", paramLabel = "N", defaultValue = "5000", description = "First training images held out for validation (default: ${DEFAULT-VALUE}).")
  int validationSize;

  @Option(names = "--filter-size1", paramLabel = "N", defaultValue = "5", description = "Layer 1 filters are N x N pixels, N odd (notebook: ${DEFAULT-VALUE}).")
  int filterSize1;

  @Option(names = "--num-filters1", paramLabel = "N", defaultValue = "16", description = "Filters in layer 1 (notebook: ${DEFAULT-VALUE}).")
  int numFilters1;

  @Option(names = "--filter-size2", paramLabel = "N", defaultValue = "5", description = "Layer 2 filters are N x N pixels, N odd (notebook: ${DEFAULT-VALUE}).")
  int filterSize2;

  @Option(names = "--num-filters2", paramLabel = "N", defaultValue = "36", description = "Filters in layer 2 (notebook: ${DEFAULT-VALUE}).")
  int numFilters2;

  @Option(names = "--fc-size", paramLabel = "N", defaultValue = "128", description = "Neurons in the fully-connected layer (notebook: ${DEFAULT-VALUE}).")
  int fcSize;

  @Option(names = "--checkpoint-every", paramLabel = "N", description = "Write a checkpoint every N iterations (default: at each epoch's end; always at the end).")
  Long checkpointEvery;

  @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue an interrupted run from its last checkpoint to its planned end (its own settings are used).")
  Path resume;

  @Option(names = "--no-figures", description = "Skip the figures and report.html.")
  boolean noFigures;

  @Option(names = "--no-progress", description = "No live progress bar (it is also off when stdout is not a terminal).")
  boolean noProgress;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Flags that fix what a run computes: a resumed run takes them from its checkpoint. */
  private static final List<String> FIXED_BY_CHECKPOINT = List.of("--recipe", "--notebook", "--iterations", "--epochs",
      "--batch-size", "--learning-rate", "--seed", "--validation-size", "--run-dir", "--force", "--checkpoint-every");
  private static final List<String> ARCHITECTURE = List.of("--filter-size1", "--num-filters1", "--filter-size2", "--num-filters2", "--fc-size");

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Where where = new CommonOptions.Where();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    if (resume != null) {
      return resume();
    }
    Recipe chosen = notebook ? Recipe.NOTEBOOK : recipe;
    if (notebook && recipe != Recipe.DEFAULT && recipe != Recipe.NOTEBOOK) {
      throw new IllegalArgumentException("--notebook and --recipe " + recipe.name().toLowerCase() + " contradict each other; give one");
    }
    ModelConfig architecture = new ModelConfig(filterSize1, numFilters1, filterSize2, numFilters2, fcSize,
        chosen.batchSize, chosen.learningRate, seed);
    TrainOptions options = new TrainOptions(chosen, iterations, epochs, batchSize, learningRate, seed, dataOptions.dataDir,
        runDir != null ? runDir : RunDirectory.defaultPath(), force, validationSize, !noFigures, architecture, checkpointEvery, where.device);
    options.modelConfig(); // validates the hyperparameters before any data is read
    try (TrainingProgress progress = progress()) {
      RunResult result = TrainingRun.run(options, progress);
      return result.test().total() > 0 ? 0 : 1;
    }
  }

  private Integer resume() {
    picocli.CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    for (String flag : FIXED_BY_CHECKPOINT) {
      if (parsed.hasMatchedOption(flag)) {
        throw new IllegalArgumentException(flag + " cannot be combined with --resume: a resumed run keeps the settings it started with");
      }
    }
    Checkpoint.State state = Checkpoint.readState(resume);
    ModelConfig saved = state.model();
    ModelConfig asked = new ModelConfig(filterSize1, numFilters1, filterSize2, numFilters2, fcSize, saved.trainBatchSize(), saved.learningRate(), saved.seed());
    if (ARCHITECTURE.stream().anyMatch(parsed::hasMatchedOption) && !asked.equals(saved)) {
      throw new IllegalArgumentException("the checkpoint in " + resume + " has a different architecture (" + describe(saved)
          + ") than asked (" + describe(asked) + "); resume without architecture flags");
    }
    try (TrainingProgress progress = progress()) {
      TrainingRun.resume(resume, dataOptions.dataDir, !noFigures, where.device, progress);
      return 0;
    }
  }

  private static String describe(ModelConfig c) {
    return String.format("conv %dx%dx%d, conv %dx%dx%d, fc %d", c.filterSize1(), c.filterSize1(), c.numFilters1(),
        c.filterSize2(), c.filterSize2(), c.numFilters2(), c.fcSize());
  }

  private TrainingProgress progress() {
    boolean live = !noProgress && System.console() != null;
    return live ? new ConsoleProgress(System.out) : TrainingProgress.lines(System.out);
  }

  /** Accepts recipe names in any case. */
  static final class RecipeConverter implements picocli.CommandLine.ITypeConverter<Recipe> {
    @Override
    public Recipe convert(String value) {
      try {
        return Recipe.valueOf(value.trim().toUpperCase());
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("unknown recipe '" + value + "' (choose default, notebook or best)");
      }
    }
  }


  /** Accepts device names in any case. */
  static final class DeviceConverter implements picocli.CommandLine.ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      try {
        return Device.valueOf(value.trim().toUpperCase());
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("unknown device '" + value + "' (choose auto, cpu or gpu)");
      }
    }
  }
}
