package dev.convnet.run;

import dev.convnet.common.Records;
import dev.convnet.data.FileTrees;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Evaluation;
import dev.convnet.results.History;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.train.Checkpoint;
import dev.convnet.train.CheckpointListener;
import dev.convnet.train.DivergedException;
import dev.convnet.train.StopSwitch;
import dev.convnet.train.StoppedException;
import dev.convnet.train.TensorBoardListener;
import dev.convnet.train.TensorBoardLog;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingGraph;
import dev.convnet.train.TrainingListener;
import dev.convnet.train.TrainingProgress;
import dev.convnet.train.TrainingStep;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The main trainer: the notebook's sequence from loading the data to the final accuracy (cells In
 * [3]-[47]), then the run's outputs: checkpoints, TensorBoard events, {@code metrics.json}, a
 * SavedModel, the figures and the report. One entry point, {@link #run}, for fresh and resumed runs
 * alike.
 */
public final class TrainingRun {
  /** In [44]: the notebook first trains for this many iterations and looks at the accuracy. */
  public static final long FIRST_OPTIMIZE = 100;

  public static final String SAVED_MODEL_DIR = "saved_model";
  public static final String FIGURES_DIR = "figures";
  public static final String TENSORBOARD_DIR = "tensorboard";

  /** What to run: a fresh run, or the continuation of an interrupted one. */
  public sealed interface Request permits Fresh, Resume {
    /** Where the outputs go; null (fresh runs only) for a new {@code runs/<time>}. */
    Path runDir();

    Options options();

    Request withOptions(Options changed);

    default Request withFigures(boolean draw) {
      return withOptions(options().withFigures(draw));
    }

    default Request withDevice(Device where) {
      return withOptions(options().withDevice(where));
    }

    default Request withStep(TrainingStep.Kind step) {
      return withOptions(options().withStep(step));
    }

    default Request withStop(StopSwitch stop) {
      return withOptions(options().withStop(stop));
    }

    default Request withExportBase(Optional<Path> base) {
      return withOptions(options().withExportBase(base));
    }

    /** A fresh run of {@code model} and {@code training} into {@code runDir}, on the CPU. */
    static Fresh fresh(ModelConfig model, TrainConfig training, Path runDir) {
      return new Fresh(model, training, runDir, false, Options.DEFAULT);
    }

    /** Continues the run in {@code runDir}, with the settings its checkpoint holds, on the CPU. */
    static Resume resume(Path runDir) {
      return new Resume(runDir, Options.DEFAULT);
    }
  }

  /**
   * How to run, fresh or resumed alike.
   *
   * @param device where to train
   * @param step the notebook's training step, or the fast one where it applies
   * @param figures whether to draw the figures and the report
   * @param stop set by Ctrl-C or SIGTERM: stop after the step under way, checkpoint, and exit
   * @param exportBase a base path of numbered versions that also receives the SavedModel, as its
   *     next version, for TensorFlow Serving or {@code serve} to pick up
   */
  public record Options(
      Device device,
      TrainingStep.Kind step,
      boolean figures,
      StopSwitch stop,
      Optional<Path> exportBase) {
    public static final Options DEFAULT =
        new Options(Device.CPU, TrainingStep.Kind.FAST, true, new StopSwitch(), Optional.empty());

    public Options withDevice(Device value) {
      return Records.with(this, "device", value);
    }

    public Options withStep(TrainingStep.Kind value) {
      return Records.with(this, "step", value);
    }

    public Options withFigures(boolean value) {
      return Records.with(this, "figures", value);
    }

    public Options withStop(StopSwitch value) {
      return Records.with(this, "stop", value);
    }

    public Options withExportBase(Optional<Path> value) {
      return Records.with(this, "exportBase", value);
    }
  }

  /**
   * A new run.
   *
   * @param model the network's shape
   * @param training every training setting
   * @param runDir where the outputs go; null for a new {@code runs/<time>}, created once every
   *     check has passed
   * @param force write into a run directory that holds files
   */
  public record Fresh(
      ModelConfig model, TrainConfig training, Path runDir, boolean force, Options options)
      implements Request {
    @Override
    public Fresh withOptions(Options changed) {
      return new Fresh(model, training, runDir, force, changed);
    }

    public Fresh withForce(boolean value) {
      return new Fresh(model, training, runDir, value, options);
    }
  }

  /** The continuation of the run in {@code runDir}, from its last checkpoint. */
  public record Resume(Path runDir, Options options) implements Request {
    @Override
    public Resume withOptions(Options changed) {
      return new Resume(runDir, changed);
    }
  }

  private TrainingRun() {}

  /**
   * A checked request, under its run directory's lock: the network and settings to train, and the
   * checkpoint it continues from, if any.
   */
  private record Begin(
      Path runDir,
      ModelConfig model,
      TrainConfig training,
      Optional<Checkpoint.State> checkpoint,
      Options options) {}

  /**
   * Trains as {@code request} says on the images of {@code data}; {@code progress} receives every
   * printed line. Everything that can be refused (settings, run directory, device) is refused
   * before the data is read.
   */
  public static RunResult run(Request request, DataSource data, TrainingProgress progress) {
    String device = request.options().device().resolve(); // a missing GPU, before any change
    request.options().exportBase().ifPresent(ModelExport::checkBasePath);
    int askedBatch = request instanceof Fresh fresh ? fresh.training().batchSize() : 0;
    request = withBatchFitted(request, data);
    boolean existed = request.runDir() != null && Files.exists(request.runDir());
    Path runDir = prepare(request, data);
    try (RunDirectory.Lock lock = RunDirectory.lock(runDir)) {
      Begin planned = begin(request, runDir, data);
      DataSource.Loaded loaded;
      Begin begin;
      try {
        loaded = data.load(planned.training().validationSize());
        begin = withClassesOf(planned, loaded);
      } catch (RuntimeException e) {
        if (request instanceof Fresh && !existed) {
          FileTrees.delete(runDir); // data that cannot be trained on leaves nothing behind
        }
        throw e;
      }
      loaded.splitFile().ifPresent(split -> split.write(runDir)); // for --resume, and to repeat
      try (TrainingGraph graph =
          TrainingGraph.build(begin.model(), begin.training(), begin.options().step(), device)) {
        Trainer.Start start;
        if (begin.checkpoint().isPresent()) {
          graph.initialize();
          Checkpoint.restore(runDir, graph.net); // before anything in the run directory changes
          start = begin.checkpoint().get().start();
        } else {
          double whitening = graph.initialize(loaded.split().train());
          start = new Trainer.Start(0, whitening, new History());
        }
        return execute(begin, graph, loaded, start, progress, askedBatch);
      }
    }
  }

  /**
   * A small set of one's own trains with its recipe's batch size capped at the training set's size
   * (a folder of 20 images a class is a common first one); a batch size asked for explicitly is
   * refused by {@link Settings#check} instead.
   */
  private static Request withBatchFitted(Request request, DataSource data) {
    if (!(request instanceof Fresh fresh)) {
      return request;
    }
    TrainConfig training = fresh.training();
    int train = data.trainingImages() - data.validationImages(training.validationSize());
    boolean recipes;
    try {
      recipes = training.batchSize() == TrainConfig.recipe(training.recipe()).batchSize();
    } catch (IllegalArgumentException e) {
      recipes = false; // settings of no recipe: every one of them asked for
    }
    if (!recipes || train < 1 || training.batchSize() <= train) {
      return request;
    }
    return new Fresh(
        fresh.model(),
        training.withBatchSize(train),
        fresh.runDir(),
        fresh.force(),
        fresh.options());
  }

  /** The checks before anything is written; the run directory to use, created if new. */
  private static Path prepare(Request request, DataSource data) {
    if (request instanceof Fresh fresh) {
      if (fresh.runDir() != null) {
        RunDirectory.check(fresh.runDir(), fresh.force());
      }
      Settings.check(fresh.model(), fresh.training(), data);
      return fresh.runDir() != null
          ? fresh.runDir()
          : RunDirectory.createDefault(); // every check has passed
    }
    if (!Files.isDirectory(request.runDir())) {
      throw new IllegalArgumentException(
          "cannot resume " + request.runDir() + ": no such run directory");
    }
    return request.runDir();
  }

  /** What {@code request} trains, read from its checkpoint when it resumes one. */
  private static Begin begin(Request request, Path runDir, DataSource data) {
    if (request instanceof Fresh fresh) {
      return new Begin(
          runDir, fresh.model(), fresh.training(), Optional.empty(), request.options());
    }
    Checkpoint.State state = Checkpoint.readState(runDir);
    Settings.check(state.model(), state.training(), data);
    return new Begin(
        runDir, state.model(), state.training(), Optional.of(state), request.options());
  }

  /**
   * The network sized for the data's classes (In [4]'s {@code num_classes}); a resumed run's
   * checkpoint must already be.
   */
  private static Begin withClassesOf(Begin begin, DataSource.Loaded data) {
    int classes = data.split().train().numClasses();
    if (begin.checkpoint().isPresent() && begin.model().numClasses() != classes) {
      throw new IllegalArgumentException(
          String.format(
              "the checkpoint in %s tells %d classes apart, but %s has %d",
              begin.runDir(), begin.model().numClasses(), data.description(), classes));
    }
    return new Begin(
        begin.runDir(),
        begin.model().withNumClasses(classes),
        begin.training(),
        begin.checkpoint(),
        begin.options());
  }

  private static RunResult execute(
      Begin begin,
      TrainingGraph graph,
      DataSource.Loaded data,
      Trainer.Start start,
      TrainingProgress progress,
      int askedBatch) {
    Path runDir = begin.runDir();
    ConvNet net = graph.net;
    ModelConfig model = net.config;
    Split split = data.split();
    try (TensorBoardLog tensorBoard = new TensorBoardLog(runDir.resolve(TENSORBOARD_DIR))) {
      CheckpointListener checkpoints = new CheckpointListener(runDir, model);
      List<TrainingListener> listeners =
          List.of(checkpoints, new TensorBoardListener(tensorBoard), begin.options().stop());
      Trainer trainer =
          new Trainer(graph, split, new Trainer.Observers(progress, listeners), start);
      long planned = trainer.plannedIterations();
      progress.println(
          String.format(
              "Data: %s (%d train, %d validation, %d test)",
              data.description(),
              split.train().size(),
              split.validation().size(),
              split.test().size()));
      int batch = begin.training().batchSize();
      progress.println(
          begin.training().describe(planned, (double) planned / trainer.iterationsPerEpoch())
              + (askedBatch > batch
                  ? " (the recipe's batch of " + askedBatch + " capped at the training set's size)"
                  : ""));
      progress.println("Network: " + model.describe());
      progress.println("Run directory: " + runDir);
      progress.println("Training on " + net.device + " with " + graph.step.describe());
      try {
        if (begin.checkpoint().isEmpty()) {
          trainer.printTestAccuracy(false, false); // In [43]
          trainer.optimize(Math.min(FIRST_OPTIMIZE, planned)); // In [44]
          trainer.printTestAccuracy(false, false); // In [45]
        } else {
          progress.println(
              String.format(
                  "Resuming from the checkpoint at iteration %d of %d",
                  trainer.totalIterations(), planned));
        }
        trainer.optimize(planned - trainer.totalIterations()); // In [46]
        checkpoints.save(trainer);
      } catch (StoppedException e) {
        checkpoints.save(trainer);
        progress.println(
            String.format(
                "Stopped at iteration %d of %d; the checkpoint in %s holds it.",
                trainer.totalIterations(), planned, runDir.resolve(Checkpoint.DIR)));
        throw e.in(runDir);
      } catch (DivergedException e) {
        throw new DivergedException(
            e.getMessage()
                + (Files.exists(runDir.resolve(Checkpoint.DIR))
                    ? "; the last good checkpoint is in " + runDir.resolve(Checkpoint.DIR)
                    : ""));
      }
      return finish(begin, trainer, data, progress);
    }
  }

  /** In [47] and after: the final accuracy, metrics.json, the SavedModel, figures and report. */
  private static RunResult finish(
      Begin begin, Trainer trainer, DataSource.Loaded data, TrainingProgress progress) {
    Path runDir = begin.runDir();
    ConvNet net = trainer.net();
    ModelConfig model = net.config;
    Split split = data.split();
    trainer.finishWeights(); // the averaged weights, when the recipe averages them
    Evaluation test = trainer.printTestAccuracy(true, true); // In [47], with In [40], [41]
    Evaluation validation = null;
    if (split.validation().size() > 0) {
      validation = trainer.evaluate(split.validation());
      progress.println(validation.accuracyLine("Validation-Set"));
    }
    long iterations = trainer.totalIterations();
    double seconds = trainer.trainSeconds();
    TrainConfig training = trainer.config();
    double imagesPerSecond = seconds > 0 ? iterations * (double) training.batchSize() / seconds : 0;
    RunRecord.Results results =
        RunRecord.Results.builder()
            .test(test)
            .validation(validation)
            .training(iterations, (double) iterations / trainer.iterationsPerEpoch(), seconds)
            .imagesPerSecond(imagesPerSecond)
            .device(net.device)
            .parameterCount(net.parameterCount())
            .data(data.description())
            .build();
    RunRecord record = new RunRecord(results, training, model, trainer.history());

    Path savedModel = runDir.resolve(SAVED_MODEL_DIR);
    FileTrees.delete(
        savedModel); // only reached with an empty run directory, a forced one or a resumed one
    ModelExport.export(net, savedModel, split.train().classNames(), training.flipAverage());
    record.write(runDir);
    begin
        .options()
        .exportBase()
        .ifPresent(
            base ->
                progress.println(
                    "Exported as version "
                        + ModelExport.publishVersion(savedModel, base)
                        + " of "
                        + base));
    progress.println(
        String.format(
            "Trained at %.0f images/s; wrote %s and %s",
            imagesPerSecond, runDir.resolve(RunRecord.FILE_NAME), savedModel));
    if (begin.options().figures()) {
      Figures.Inputs inputs =
          new Figures.Inputs(data.original(), split.test(), test, trainer.history());
      progress.println(
          Report.drawWithFigures(runDir, new NamedTensors(net.session), inputs, record));
    }
    return new RunResult(runDir, test, validation, record);
  }
}
