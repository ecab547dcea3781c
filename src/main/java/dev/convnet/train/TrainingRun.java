package dev.convnet.train;

import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.serve.ModelExport;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import dev.convnet.viz.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The main trainer: the notebook's sequence from loading the data to the final accuracy (cells
 * In [3]-[47]), with the run's outputs: checkpoints, TensorBoard events, {@code metrics.json}, a
 * SavedModel, the figures and a report.
 */
public final class TrainingRun {
  /** In [44]: the notebook first trains for this many iterations and looks at the accuracy. */
  public static final long FIRST_OPTIMIZE = 100;
  public static final String SAVED_MODEL_DIR = "saved_model";
  public static final String FIGURES_DIR = "figures";
  public static final String TENSORBOARD_DIR = "tensorboard";

  private TrainingRun() {}

  /** Loads the data and trains as {@code options} say; {@code progress} receives every printed line. */
  public static RunResult run(TrainOptions options, TrainingProgress progress) {
    RunDirectory.check(options.runDir(), options.force()); // refuse before any loading
    options.device().resolve(); // and before any loading, a GPU that is not there
    FashionMnist.Data data = FashionMnist.load(options.dataDir());
    Split split = Split.of(data, options.validationSize());
    Path runDir = RunDirectory.prepare(options.runDir(), options.force());
    return execute(options, split, data.train(), runDir, data.directory().toString(), progress, null);
  }

  /**
   * Trains on an already loaded {@code split} (the tests hand in small generated data);
   * {@code original} is the training set before the split, for the figure of In [5].
   */
  public static RunResult run(TrainOptions options, Split split, ImageSet original, Path runDir, String dataSource, TrainingProgress progress) {
    RunDirectory.prepare(runDir, options.force());
    return execute(options, split, original, runDir, dataSource, progress, null);
  }

  /** The options a checkpoint was written with, pointing at {@code runDir}. */
  public static TrainOptions optionsOf(Checkpoint.State state, Path runDir, Path dataDir, boolean figures) {
    Recipe recipe = Recipe.valueOf(state.recipe());
    return new TrainOptions(recipe, state.plannedIterations(), null, state.batchSize(), state.learningRate(), state.seed(),
        dataDir, runDir, true, state.validationSize(), figures, state.model(), null, Device.AUTO);
  }

  /** Continues the run in {@code runDir} from its last checkpoint to its planned end. */
  public static RunResult resume(Path runDir, Path dataDir, boolean figures, Device device, TrainingProgress progress) {
    Checkpoint.State state = Checkpoint.readState(runDir);
    TrainOptions options = optionsOf(state, runDir, dataDir, figures).withDevice(device);
    device.resolve();
    FashionMnist.Data data = FashionMnist.load(dataDir);
    Split split = Split.of(data, options.validationSize());
    return execute(options, split, data.train(), runDir, data.directory().toString(), progress, state);
  }

  /** Resumes on an already loaded split (tests). */
  public static RunResult resume(Path runDir, Split split, ImageSet original, TrainingProgress progress) {
    Checkpoint.State state = Checkpoint.readState(runDir);
    return execute(optionsOf(state, runDir, null, false), split, original, runDir, "generated", progress, state);
  }

  private static RunResult execute(TrainOptions options, Split split, ImageSet original, Path runDir, String dataSource,
      TrainingProgress progress, Checkpoint.State resumeFrom) {
    ModelConfig config = options.modelConfig();
    String device = options.device().resolve();
    try (ConvNet net = new ConvNet(config, device)) {
      net.initialize();
      long planned = resumeFrom != null ? resumeFrom.plannedIterations()
          : options.plannedIterations(BatchSource.batchesPerEpoch(split.train().size(), config.trainBatchSize()));
      Trainer trainer = new Trainer(net, split, options.recipe().schedule(config.learningRate(), planned), progress);
      trainer.planIterations(planned);
      if (options.recipe().augment) {
        trainer.setAugmentation(new Augmentation(config.seed()));
      }
      trainer.setLabelSmoothing(options.recipe().labelSmoothing);
      if (resumeFrom != null) {
        Checkpoint.restore(runDir, net); // before anything in the run directory changes
        trainer.restore(resumeFrom.iteration(), resumeFrom.trainSeconds(), resumeFrom.history());
      }
      progress.println(String.format("Data: %s (%d train, %d validation, %d test)", dataSource,
          split.train().size(), split.validation().size(), split.test().size()));
      progress.println(String.format("Recipe: %s, %d iterations of %d images (%.2f epochs), learning rate %s%s, seed %d",
          options.recipe().name().toLowerCase(), planned, config.trainBatchSize(), (double) planned / trainer.iterationsPerEpoch(),
          config.learningRate(), options.recipe().cosineSchedule ? " (warm-up, cosine decay)" : "",
          config.seed()) + (options.recipe().augment ? ", random flips and shifts" : "")
          + (options.recipe().labelSmoothing > 0 ? ", label smoothing " + options.recipe().labelSmoothing : ""));
      progress.println("Run directory: " + runDir);
      progress.println("Training on " + device);

      try (TensorBoardLog tensorBoard = new TensorBoardLog(runDir.resolve(TENSORBOARD_DIR))) {
        trainer.setListener(new CheckpointingListener(options, config, planned, runDir, net, trainer, tensorBoard));
        if (resumeFrom == null) {
          trainer.printTestAccuracy(false, false);                 // In [43]
          trainer.optimize(Math.min(FIRST_OPTIMIZE, planned));     // In [44]
          trainer.printTestAccuracy(false, false);                 // In [45]
        } else {
          progress.println(String.format("Resuming from the checkpoint at iteration %d of %d", trainer.totalIterations(), planned));
        }
        long remaining = planned - trainer.totalIterations();
        if (remaining > 0) {
          trainer.optimize(remaining);                             // In [46]
        }
        Checkpoint.save(runDir, net, stateOf(options, config, planned, trainer));
      } catch (DivergedException e) {
        throw new DivergedException(e.getMessage() + (Files.exists(runDir.resolve(Checkpoint.DIR))
            ? "; the last good checkpoint is in " + runDir.resolve(Checkpoint.DIR) : ""));
      }

      Evaluation test = trainer.printTestAccuracy(true, true); // In [47], with the matrix of In [41]
      Evaluation validation = null;
      if (split.validation().size() > 0) {
        validation = trainer.evaluate(split.validation());
        progress.println(validation.accuracyLine("Validation-Set"));
      }

      long iterations = trainer.totalIterations();
      double seconds = trainer.trainSeconds();
      double imagesPerSecond = seconds > 0 ? iterations * (double) config.trainBatchSize() / seconds : 0;
      RunResult result = new RunResult(runDir, test, validation, iterations, (double) iterations / trainer.iterationsPerEpoch(),
          seconds, imagesPerSecond, trainer.history());

      Path savedModel = runDir.resolve(SAVED_MODEL_DIR);
      RunDirectory.deleteTree(savedModel); // only reached with an empty run directory, --force or --resume
      ModelExport.export(net, savedModel);
      Map<String, Object> metrics = Metrics.of(result, options, device);
      Metrics.write(runDir, metrics);
      progress.println(String.format("Trained at %.0f images/s; wrote %s and %s", imagesPerSecond,
          runDir.resolve(Metrics.FILE_NAME), savedModel));
      if (options.figures()) {
        List<Figures.Figure> figures = Figures.drawAll(runDir.resolve(FIGURES_DIR), new NamedTensors(net.session), original,
            split.test(), test, trainer.history());
        Path report = Report.write(runDir, FIGURES_DIR, figures, Metrics.asJson(metrics));
        progress.println("Figures: " + figures.size() + " PNG files in " + runDir.resolve(FIGURES_DIR) + "; open " + report);
      }
      return result;
    }
  }

  static Checkpoint.State stateOf(TrainOptions options, ModelConfig config, long planned, Trainer trainer) {
    return new Checkpoint.State(options.recipe().name(), config.trainBatchSize(), config.learningRate(), config.seed(),
        options.validationSize(), planned, config, trainer.totalIterations(), trainer.trainSecondsIncludingCurrent(), trainer.history());
  }

  /** Writes checkpoints when due and mirrors the logged numbers to TensorBoard. */
  private record CheckpointingListener(TrainOptions options, ModelConfig config, long planned, Path runDir, ConvNet net,
      Trainer trainer, TensorBoardLog tensorBoard) implements Trainer.Listener {
    @Override
    public void loggedStep(History.Step step) {
      tensorBoard.scalar("loss", step.iteration(), step.cost());
      tensorBoard.scalar("accuracy/train", step.iteration(), step.trainAccuracy());
      tensorBoard.scalar("learning_rate", step.iteration(), step.learningRate());
    }

    @Override
    public void epochEnd(History.EpochEnd end) {
      tensorBoard.scalar("accuracy/validation", end.iteration(), end.validationAccuracy());
      tensorBoard.flush();
    }

    @Override
    public void afterStep(long done) {
      boolean due = options.checkpointEvery() != null
          ? done % options.checkpointEvery() == 0
          : done % trainer.iterationsPerEpoch() == 0;
      if (due && done < planned) {
        Checkpoint.save(runDir, net, stateOf(options, config, planned, trainer));
      }
    }
  }
}
