package dev.convnet.train;

import dev.convnet.data.BatchSource;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.FlipAveraging;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.StepRunner;
import dev.convnet.results.Evaluation;
import dev.convnet.results.Formats;
import dev.convnet.results.History;
import java.util.List;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TInt64;

/**
 * Cells In [36]-[47]: the optimization loop and the accuracy printouts, over the notebook's train /
 * validation / test split. Built from a finished {@link TrainConfig}; what happens around the steps
 * (checkpoints, TensorBoard, a progress display) is told to its {@link TrainingListener}s.
 */
public final class Trainer {
  /** In [39]: progress is printed every this many iterations. */
  public static final int PRINT_EVERY = 100;

  /** Accuracy over this many recent batches is what the progress display shows. */
  private static final int RUNNING_WINDOW = 100;

  /** Where a run starts: from nothing, or from a checkpoint's iteration, time and history. */
  public record Start(long iteration, double trainSeconds, History history) {
    public static final Start FRESH = new Start(0, 0, new History());
  }

  private final ConvNet net;
  private final TrainingStep trainingStep;
  private final Split data;
  private final TrainConfig config;
  private final long plannedIterations;
  private final BatchSource batches;
  private final LearningRateSchedule schedule;
  private final Augmentation augmentation;
  private final WeightAverage average;

  /** With {@code config.flipAverage()}: the class by image and mirror ({@link FlipAveraging}). */
  private final Operand<TInt64> flipAveragedClasses;

  private final TrainingProgress progress;
  private final List<TrainingListener> listeners;
  private final History history;
  private final float[] xBatch;
  private final float[] yBatch;
  private long totalIterations;
  private int lastBatchSize;
  private float lastRate;
  private double trainSeconds;
  private final RecentMean recentAccuracy = new RecentMean(RUNNING_WINDOW);
  private final RecentMean recentCost = new RecentMean(RUNNING_WINDOW);

  /** When the optimize call under way started (System.nanoTime), or 0 outside optimize. */
  private long optimizeStart;

  /**
   * @param graph what to train, finished: the network, its step and what the settings add
   * @param data the train / validation / test split
   * @param observers who hears of the training: printed lines, steps, epoch ends
   * @param start where to begin: {@link Start#FRESH}, or a checkpoint's place
   */
  public Trainer(TrainingGraph graph, Split data, Observers observers, Start start) {
    TrainConfig config = graph.training;
    this.average = graph.average;
    this.trainingStep = graph.step;
    this.net = graph.net;
    this.flipAveragedClasses = graph.flipAveragedClasses;
    this.data = data;
    this.config = config;
    this.progress = observers.progress();
    this.listeners = List.copyOf(observers.listeners());
    this.batches = new BatchSource(data.train().size(), config.batchSize(), config.seed());
    this.plannedIterations = config.length().toIterations(batches.batchesPerEpoch());
    this.schedule = config.rateSchedule(plannedIterations);
    this.augmentation = config.augment() ? new Augmentation(config.seed()) : null;
    this.xBatch = new float[config.batchSize() * ModelConfig.IMG_SIZE_FLAT];
    this.yBatch = new float[config.batchSize() * graph.net.config.numClasses()];
    this.history = History.copyOf(start.history());
    this.totalIterations = start.iteration();
    this.trainSeconds = start.trainSeconds();
    batches.seek(totalIterations);
  }

  /** A trainer of {@code graph} with no listeners, from the start (tests, bench). */
  public Trainer(TrainingGraph graph, Split data, TrainingProgress progress) {
    this(graph, data, new Observers(progress, List.of()), Start.FRESH);
  }

  /**
   * A trainer of the notebook's own step on {@code net}, built by hand as the notebook builds it,
   * with no listeners, from the start (the guide).
   */
  public Trainer(ConvNet net, Split data, TrainConfig config, TrainingProgress progress) {
    this(TrainingGraph.notebook(net, config), data, progress);
  }

  /**
   * Who hears of the training.
   *
   * @param progress where printed lines and step progress go
   * @param listeners told of logged steps, epoch ends and every step, in order
   */
  public record Observers(TrainingProgress progress, List<TrainingListener> listeners) {}

  public TrainConfig config() {
    return config;
  }

  public ConvNet net() {
    return net;
  }

  /** Iterations in one pass over the training set. */
  public int iterationsPerEpoch() {
    return batches.batchesPerEpoch();
  }

  /** The run's length in iterations, from its config. */
  public long plannedIterations() {
    return plannedIterations;
  }

  /** In [39]'s {@code total_iterations}: iterations performed so far, over all calls. */
  public long totalIterations() {
    return totalIterations;
  }

  public double trainSeconds() {
    return trainSeconds;
  }

  /** Seconds spent in optimize so far, including the current call (for checkpoints mid-run). */
  public double trainSecondsIncludingCurrent() {
    return trainSeconds + (optimizeStart == 0 ? 0 : (System.nanoTime() - optimizeStart) / 1e9);
  }

  public History history() {
    return history;
  }

  /**
   * One training step on the next batch: batch, augmentation, the rate of this iteration, and the
   * Adam step (traced into {@code trace} when not null). Nothing is printed or logged: {@link
   * #optimize} and the benchmark share it.
   */
  public StepRunner.StepResult step(RunMetadata.Builder trace) {
    long i = totalIterations;
    int[] batch = batches.next();
    int n = batch.length;
    lastBatchSize = n;
    ImageSet train = data.train();
    train.fillBatch(batch, xBatch, yBatch, config.labelSmoothing());
    if (augmentation != null) {
      augmentation.apply(xBatch, n, train.imageSize(), i);
    }
    float rate = schedule.rate(i);
    lastRate = rate;
    StepRunner.StepResult step =
        trainingStep.run(new StepRunner.Batch(xBatch, yBatch, n), rate, trace);
    if (!Float.isFinite(step.cost())) {
      throw new DivergedException(
          String.format(
              "training diverged at iteration %d: the cost became %s (learning rate %.3g); try a"
                  + " smaller learning rate",
              i + 1, step.cost(), rate));
    }
    if (average != null) {
      average.update(i);
    }
    totalIterations = i + 1;
    return step;
  }

  /**
   * In [39] {@code optimize(num_iterations)}: runs that many Adam steps on shuffled mini-batches,
   * printing the training accuracy every 100 iterations and the time used at the end.
   */
  public void optimize(long numIterations) {
    long start = System.nanoTime();
    optimizeStart = start;
    long end = totalIterations + numIterations;
    try {
      while (totalIterations < end) {
        long i = totalIterations;
        StepRunner.StepResult step = step(null);
        recentAccuracy.add(step.accuracy());
        recentCost.add(step.cost());
        progress.step(i + 1, Math.max(plannedIterations, end), step.cost(), recentAccuracy.mean());
        if (i % PRINT_EVERY == 0) {
          // As the notebook does: the accuracy on this batch after the step.
          float acc = net.accuracy(xBatch, yBatch, lastBatchSize);
          progress.println(Formats.iterationLine(i + 1, acc));
          History.Step logged =
              new History.Step(
                  i + 1, step.cost(), acc, lastRate, recentCost.mean(), recentAccuracy.mean());
          history.steps().add(logged);
          listeners.forEach(l -> l.loggedStep(logged));
        }
        if ((i + 1) % iterationsPerEpoch() == 0 && data.validation().size() > 0) {
          long epoch = (i + 1) / iterationsPerEpoch();
          double validation = evaluate(data.validation()).accuracy();
          History.EpochEnd epochEnd =
              new History.EpochEnd(epoch, i + 1, validation, trainSecondsIncludingCurrent());
          history.epochs().add(epochEnd);
          listeners.forEach(l -> l.epochEnd(epochEnd));
        }
        listeners.forEach(l -> l.afterStep(this));
      }
    } finally {
      double seconds = (System.nanoTime() - start) / 1e9;
      trainSeconds += seconds;
      progress.println(Formats.timeUsage(seconds));
      optimizeStart = 0;
    }
  }

  /** The mean of the last {@code size} values added, kept as a running sum. */
  private static final class RecentMean {
    private final float[] values;
    private long count;
    private double sum;

    RecentMean(int size) {
      values = new float[size];
    }

    void add(float value) {
      int slot = (int) (count++ % values.length);
      sum += value - values[slot];
      values[slot] = value;
    }

    double mean() {
      long n = Math.min(count, values.length);
      return n == 0 ? 0 : sum / n;
    }
  }

  /**
   * The predicted class of every image of {@code set}, in batches of the config's size, by the
   * model: the averaged weights when the config averages them, else the last weights; each image
   * with its mirror when the config says so. The exported model computes the same.
   */
  public Evaluation evaluate(ImageSet set) {
    Evaluation.BatchClassifier classifier =
        flipAveragedClasses == null
            ? trainingStep::predictClasses
            : (images, n) -> net.classesOf(flipAveragedClasses, images, n);
    Supplier<Evaluation> classify =
        () -> Evaluation.classify(set, config.evalBatchSize(), classifier);
    return average == null ? classify.get() : average.evaluated(classify);
  }

  /**
   * Makes the trained model the network's weights for what follows the training (the final
   * evaluation, the export, the figures): the averaged weights, when the config averages them.
   */
  public void finishWeights() {
    if (average != null) {
      average.copyIntoWeights();
    }
  }

  /**
   * In [42] {@code print_test_accuracy}: classifies the test set and prints the accuracy line; with
   * {@code showExampleErrors} how many were wrong (the figure of In [40] is drawn from the returned
   * evaluation); with {@code showConfusionMatrix} the matrix of In [41] as text.
   */
  public Evaluation printTestAccuracy(boolean showExampleErrors, boolean showConfusionMatrix) {
    Evaluation evaluation = evaluate(data.test());
    progress.println(evaluation.accuracyLine("Test-Set"));
    if (showExampleErrors) {
      List<Integer> incorrect = evaluation.incorrect();
      progress.println(
          "Example errors: "
              + incorrect.size()
              + " test images misclassified"
              + (incorrect.isEmpty() ? "" : ", the first at index " + incorrect.get(0)));
    }
    if (showConfusionMatrix) {
      progress.println("Confusion Matrix:");
      progress.println(evaluation.confusionMatrixText().stripTrailing());
    }
    return evaluation;
  }
}
