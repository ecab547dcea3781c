package dev.convnet.train;

import dev.convnet.data.BatchSource;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;

/**
 * Cells In [36]-[47]: the optimization loop and the accuracy printouts, over the notebook's
 * train / validation / test split.
 */
public final class Trainer {
  /** In [39]: progress is printed every this many iterations. */
  public static final int PRINT_EVERY = 100;
  /** In [42]: the test set is classified in batches of this size. */
  public static final int TEST_BATCH_SIZE = 256;

  private final ConvNet net;
  private final Split data;
  private final BatchSource batches;
  private final LearningRateSchedule schedule;
  private final TrainingProgress progress;
  private final History history = new History();
  private final float[] xBatch;
  private final float[] yBatch;
  private long plannedIterations;
  private long totalIterations;
  private double trainSeconds;
  private Listener listener = new Listener() {};
  /** Accuracy of the last {@link #RUNNING_WINDOW} training batches, for the progress display. */
  private final float[] recentAccuracy = new float[RUNNING_WINDOW];
  private long recentCount;
  private double recentAccuracySum;
  /** When the optimize call under way started (System.nanoTime), or 0 outside optimize. */
  private long optimizeStart;
  private static final int RUNNING_WINDOW = 100;
  private Augmentation augmentation;
  private float labelSmoothing;

  public Trainer(ConvNet net, Split data, LearningRateSchedule schedule, TrainingProgress progress) {
    this.net = net;
    this.data = data;
    this.schedule = schedule;
    this.progress = progress;
    ModelConfig config = net.config;
    this.batches = new BatchSource(data.train().size(), config.trainBatchSize(), config.seed());
    this.xBatch = new float[config.trainBatchSize() * ModelConfig.IMG_SIZE_FLAT];
    this.yBatch = new float[config.trainBatchSize() * ModelConfig.NUM_CLASSES];
  }

  /** Randomly flips and shifts each training batch (null: the images as they are). */
  public void setAugmentation(Augmentation augmentation) {
    this.augmentation = augmentation;
  }

  /**
   * Trains towards {@code 1 - epsilon} for the true class and {@code epsilon / 10} for each class
   * instead of one-hot targets, so the network is not pushed to ever larger logits. Only the fed
   * targets change: the graph, its accuracy and the exported model do not.
   */
  public void setLabelSmoothing(float epsilon) {
    if (epsilon < 0 || epsilon >= 1) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + epsilon);
    }
    this.labelSmoothing = epsilon;
  }

  /** Iterations in one pass over the training set. */
  public int iterationsPerEpoch() {
    return batches.batchesPerEpoch();
  }

  /** The total planned for this run; only used to size the progress display. */
  public void planIterations(long planned) {
    this.plannedIterations = planned;
  }

  /** Hears about training as it goes: for checkpoints and TensorBoard. */
  public interface Listener {
    /** A step printed and logged (every 100 iterations). */
    default void loggedStep(History.Step step) {}

    /** An epoch ended and the validation set was measured. */
    default void epochEnd(History.EpochEnd end) {}

    /** Any step finished; {@code iterationsDone} counts all steps so far. */
    default void afterStep(long iterationsDone) {}
  }

  public void setListener(Listener listener) {
    this.listener = listener;
  }

  /** Continues a run from a checkpoint: iteration count, batch order, time and history carry on. */
  public void restore(long iterations, double secondsSoFar, History previous) {
    totalIterations = iterations;
    batches.seek(iterations);
    trainSeconds = secondsSoFar;
    history.steps.addAll(previous.steps);
    history.epochs.addAll(previous.epochs);
  }

  /** In [39]'s {@code total_iterations}: iterations performed so far, over all calls. */
  public long totalIterations() {
    return totalIterations;
  }

  public double trainSeconds() {
    return trainSeconds;
  }

  public History history() {
    return history;
  }

  /**
   * In [39] {@code optimize(num_iterations)}: runs that many Adam steps on shuffled mini-batches,
   * printing the training accuracy every 100 iterations and the time used at the end.
   */
  public void optimize(long numIterations) {
    long start = System.nanoTime();
    optimizeStart = start;
    ImageSet train = data.train();
    long end = totalIterations + numIterations;
    try {
      for (long i = totalIterations; i < end; i++) {
        int[] batch = batches.next();
        int n = batch.length;
        train.fillBatch(batch, xBatch, yBatch, labelSmoothing);
        if (augmentation != null) {
          augmentation.apply(xBatch, n, train.imageSize(), i);
        }
        float rate = schedule.rate(i);
        ConvNet.StepResult step = net.trainStep(xBatch, yBatch, n, rate);
        if (!Float.isFinite(step.cost())) {
          throw new DivergedException(String.format(
              "training diverged at iteration %d: the cost became %s (learning rate %.3g); try a smaller --learning-rate", i + 1, step.cost(), rate));
        }
        int slot = (int) (recentCount++ % RUNNING_WINDOW);
        recentAccuracySum += step.accuracy() - recentAccuracy[slot];
        recentAccuracy[slot] = step.accuracy();
        progress.step(i + 1, Math.max(plannedIterations, end), step.cost(), runningAccuracy());
        if (i % PRINT_EVERY == 0) {
          // As the notebook does: the accuracy on this batch after the step.
          float acc = net.accuracy(xBatch, yBatch, n);
          progress.println(Formats.iterationLine(i + 1, acc));
          History.Step logged = new History.Step(i + 1, step.cost(), acc, rate);
          history.steps.add(logged);
          listener.loggedStep(logged);
        }
        totalIterations = i + 1;
        if ((i + 1) % batches.batchesPerEpoch() == 0 && data.validation().size() > 0) {
          History.EpochEnd epochEnd = new History.EpochEnd((i + 1) / batches.batchesPerEpoch(), i + 1, evaluate(data.validation()).accuracy());
          history.epochs.add(epochEnd);
          listener.epochEnd(epochEnd);
        }
        listener.afterStep(i + 1);
      }
    } finally {
      double seconds = (System.nanoTime() - start) / 1e9;
      trainSeconds += seconds;
      progress.println(Formats.timeUsage(seconds));
      optimizeStart = 0;
    }
  }

  /** Seconds spent in optimize so far, including the current call (for checkpoints mid-run). */
  public double trainSecondsIncludingCurrent() {
    return trainSeconds + (optimizeStart == 0 ? 0 : (System.nanoTime() - optimizeStart) / 1e9);
  }

  private double runningAccuracy() {
    long n = Math.min(recentCount, RUNNING_WINDOW);
    return n == 0 ? 0 : recentAccuracySum / n;
  }

  /** The predicted class of every image of {@code set}, computed in batches of 256. */
  public Evaluation evaluate(ImageSet set) {
    return evaluate(net, set);
  }

  /** Classifies {@code set} with {@code net} in batches of {@link #TEST_BATCH_SIZE}. */
  public static Evaluation evaluate(ConvNet net, ImageSet set) {
    return Evaluation.classify(set, TEST_BATCH_SIZE, net::predictClasses);
  }

  /**
   * In [42] {@code print_test_accuracy}: classifies the test set and prints the accuracy line; with
   * {@code showConfusionMatrix} also the matrix as text. Example errors are drawn as a figure by
   * the caller (the returned evaluation lists them).
   */
  public Evaluation printTestAccuracy(boolean showExampleErrors, boolean showConfusionMatrix) {
    Evaluation evaluation = evaluate(data.test());
    progress.println(evaluation.accuracyLine("Test-Set"));
    if (showExampleErrors) {
      progress.println("Example errors: " + evaluation.incorrect().size() + " test images misclassified"
          + (evaluation.incorrect().isEmpty() ? "" : ", the first at index " + evaluation.incorrect().get(0)));
    }
    if (showConfusionMatrix) {
      progress.println("Confusion Matrix:");
      progress.println(evaluation.confusionMatrixText().stripTrailing());
    }
    return evaluation;
  }
}
