package dev.convnet.train;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.serve.ModelExport;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import dev.convnet.viz.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The main trainer: the notebook's sequence from loading the data to the final accuracy (cells
 * In [3]-[47]), then the run's outputs: {@code metrics.json} and a SavedModel.
 */
public final class TrainingRun {
  /** In [44]: the notebook first trains for this many iterations and looks at the accuracy. */
  public static final long FIRST_OPTIMIZE = 100;
  public static final String SAVED_MODEL_DIR = "saved_model";
  public static final String FIGURES_DIR = "figures";

  private TrainingRun() {}

  /** Loads the data and trains as {@code options} say; {@code progress} receives every printed line. */
  public static RunResult run(TrainOptions options, TrainingProgress progress) {
    RunDirectory.check(options.runDir(), options.force()); // refuse before minutes of loading
    FashionMnist.Data data = FashionMnist.load(options.dataDir());
    Split split = Split.of(data, options.validationSize());
    Path runDir = RunDirectory.prepare(options.runDir(), options.force());
    return run(options, split, data.train(), runDir, data.directory().toString(), progress);
  }

  /**
   * Trains on an already loaded {@code split} (the tests hand in small generated data);
   * {@code original} is the training set before the split, for the figure of In [5].
   */
  public static RunResult run(TrainOptions options, Split split, ImageSet original, Path runDir, String dataSource, TrainingProgress progress) {
    ModelConfig config = options.modelConfig();
    progress.println(String.format("Data: %s (%d train, %d validation, %d test)", dataSource,
        split.train().size(), split.validation().size(), split.test().size()));
    try (ConvNet net = new ConvNet(config)) {
      net.initialize();
      Trainer probe = new Trainer(net, split, LearningRateSchedule.constant(0), progress);
      long planned = options.plannedIterations(probe.iterationsPerEpoch());
      LearningRateSchedule schedule = options.recipe().schedule(config.learningRate(), planned);
      Trainer trainer = new Trainer(net, split, schedule, progress);
      trainer.planIterations(planned);
      progress.println(String.format("Recipe: %s, %d iterations of %d images (%.2f epochs), learning rate %s%s, seed %d",
          options.recipe().name().toLowerCase(), planned, config.trainBatchSize(), (double) planned / trainer.iterationsPerEpoch(),
          config.learningRate(), options.recipe().cosineSchedule ? " (warm-up, cosine decay)" : "", config.seed()));
      progress.println("Run directory: " + runDir);

      trainer.printTestAccuracy(false, false);                 // In [43]
      trainer.optimize(Math.min(FIRST_OPTIMIZE, planned));     // In [44]
      trainer.printTestAccuracy(false, false);                 // In [45]
      if (planned > FIRST_OPTIMIZE) {
        trainer.optimize(planned - FIRST_OPTIMIZE);            // In [46]
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
      RunDirectory.deleteTree(savedModel); // only reached with an empty run directory or --force
      ModelExport.export(net, savedModel);
      Map<String, Object> metrics = Metrics.of(result, options, "/device:CPU:0");
      Metrics.write(runDir, metrics);
      progress.println(String.format("Trained at %.0f images/s; wrote %s and %s", imagesPerSecond,
          runDir.resolve(Metrics.FILE_NAME), savedModel));
      if (options.figures()) {
        List<Figures.Figure> figures = Figures.drawAll(runDir.resolve(FIGURES_DIR), new NamedTensors(net.session), original,
            split.test(), test, trainer.history());
        Path report = Report.write(runDir, FIGURES_DIR, figures, Metrics.read(runDir));
        progress.println("Figures: " + figures.size() + " PNG files in " + runDir.resolve(FIGURES_DIR) + "; open " + report);
      }
      return result;
    }
  }
}
