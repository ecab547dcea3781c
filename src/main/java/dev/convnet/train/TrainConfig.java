package dev.convnet.train;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.common.Records;
import dev.convnet.results.Evaluation;
import java.util.Locale;

/**
 * Every training setting of a run, each in one place; the network's shape is {@code ModelConfig}.
 * The recipes ({@link #NOTEBOOK}, {@link #DEFAULT}, {@link #BEST}) are named instances, and
 * command-line flags override their fields.
 *
 * @param recipe the name of the recipe these settings started from
 * @param batchSize images per optimization iteration (In [36] {@code train_batch_size})
 * @param learningRate Adam's learning rate: the peak of a schedule, or the constant rate
 * @param schedule how the rate moves over the run
 * @param warmupIterations iterations of linear warm-up before a cosine decay
 * @param length how long the run is, in iterations or epochs
 * @param augment whether training images are randomly mirrored and shifted
 * @param whitenFirst whether the first convolution's filters start as the whitening of the training
 *     images' patches ({@link PatchWhitening}) rather than In [7]'s random weights
 * @param labelSmoothing how much of each training target is spread over all classes; 0 for none
 * @param averageDecay the decay of the weights' moving average that evaluation and the exported
 *     model use ({@link WeightAverage}); 0 for the last weights, as the notebook
 * @param flipAverage whether evaluation and the exported model average each image's class
 *     probabilities with its mirror's ({@code FlipAveraging}); the notebook's single view if not
 * @param seed seeds the initial weights, the batch order, augmentation and dropout
 * @param validationSize training images held out for validation, the first ones (In [6])
 * @param checkpointEvery iterations between checkpoints; 0 for each epoch's end (always at the end)
 * @param evalBatchSize images per batch when classifying a whole set (In [42] {@code
 *     test_batch_size})
 * @param precision fp32, or bf16 where the CPU has bf16 units
 */
public record TrainConfig(
    String recipe,
    int batchSize,
    float learningRate,
    Schedule schedule,
    long warmupIterations,
    Length length,
    boolean whitenFirst,
    boolean augment,
    float labelSmoothing,
    float averageDecay,
    boolean flipAverage,
    long seed,
    int validationSize,
    long checkpointEvery,
    int evalBatchSize,
    Precision precision) {

  /** In [36]: the notebook's batch of 64 images; every recipe keeps it. */
  public static final int BATCH_SIZE = 64;

  /** In [31]: the notebook's Adam learning rate. */
  public static final float NOTEBOOK_LEARNING_RATE = 1e-4f;

  /**
   * Twenty times the notebook's rate: with the warm-up and the cosine decay to zero, 5 epochs reach
   * 91% (the notebook's constant rate needs far longer, and 2e-3 held constant overshoots).
   */
  public static final float PEAK_LEARNING_RATE = 2e-3f;

  /** 100 iterations of warm-up let Adam's moment estimates settle before the largest steps. */
  public static final long WARMUP_ITERATIONS = 100;

  /** In [44] + [46]: the notebook trains 100, then 2,000 more iterations. */
  public static final long NOTEBOOK_ITERATIONS = 2_100;

  /** Five epochs: the default recipe's 91% on two cores in under a minute. */
  public static final int DEFAULT_EPOCHS = 5;

  /**
   * Twenty-five epochs: the images the race allows for 93% (docs/recipes.md, "How best was
   * chosen"); thirty-three, the earlier choice, gave 0.1 point more validation accuracy for a third
   * more images.
   */
  public static final int BEST_EPOCHS = 25;

  /** 0.1 of each target spread evenly: chosen on validation accuracy (README). */
  public static final float BEST_LABEL_SMOOTHING = 0.1f;

  /** The seed of every recipe: runs repeat bit for bit on one machine. */
  public static final long SEED = 42;

  /** In [6]: the notebook holds out the first 5,000 training images. */
  public static final int VALIDATION_SIZE = 5_000;

  /** In [42]: the test set is classified in batches of 256. */
  public static final int EVAL_BATCH_SIZE = Evaluation.TEST_BATCH_SIZE;

  /** How the learning rate moves over a run. */
  public enum Schedule {
    /** The notebook's: one rate throughout. */
    CONSTANT,
    /** A linear warm-up, then a cosine decay to zero at the run's end. */
    WARMUP_COSINE,
    /** A linear warm-up, then a linear decay to zero at the run's end: a triangle (one cycle). */
    WARMUP_LINEAR;

    /** The name {@code --schedule} takes. */
    public String flag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Arithmetic of convolutions and matrix products. */
  public enum Precision {
    /** Exact and reproducible float32. */
    FP32,
    /** oneDNN may compute float32 convolutions and matmuls in bfloat16 on the CPU's bf16 units. */
    BF16;

    public String flag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A run's length: {@code count} iterations or {@code count} epochs. */
  public record Length(long count, Unit unit) {
    public enum Unit {
      ITERATIONS,
      EPOCHS
    }

    public Length {
      if (count <= 0) {
        String field = unit.name().toLowerCase(Locale.ROOT);
        throw new InvalidSettingException(field, "{" + field + "} must be positive, got " + count);
      }
    }

    public static Length iterations(long count) {
      return new Length(count, Unit.ITERATIONS);
    }

    public static Length epochs(long count) {
      return new Length(count, Unit.EPOCHS);
    }

    /** Planned iterations, given how many make an epoch. */
    public long toIterations(int iterationsPerEpoch) {
      return unit == Unit.ITERATIONS ? count : count * iterationsPerEpoch;
    }

    @Override
    public String toString() {
      return count + " " + unit.name().toLowerCase(Locale.ROOT);
    }
  }

  /** The notebook exactly: batch 64, Adam at 1e-4 held constant, 100 + 2,000 iterations. */
  public static final TrainConfig NOTEBOOK =
      new TrainConfig(
          "notebook",
          BATCH_SIZE,
          NOTEBOOK_LEARNING_RATE,
          Schedule.CONSTANT,
          0, // a constant rate has no warm-up
          Length.iterations(NOTEBOOK_ITERATIONS),
          false, // In [7]'s random weights in every layer
          false, // the notebook's images as they are
          0f, // one-hot targets (In [6])
          0f, // the last weights
          false, // one view of each image
          SEED,
          VALIDATION_SIZE,
          0, // a checkpoint at each epoch's end
          EVAL_BATCH_SIZE,
          Precision.FP32);

  /** The default: the notebook's promised 90% on two cores in under a minute. */
  public static final TrainConfig DEFAULT =
      NOTEBOOK
          .withRecipe("default")
          .withLearningRate(PEAK_LEARNING_RATE)
          .withSchedule(Schedule.WARMUP_COSINE)
          .withWarmupIterations(WARMUP_ITERATIONS)
          .withLength(Length.epochs(DEFAULT_EPOCHS));

  /**
   * The most accurate: {@link #BEST_EPOCHS} epochs, random flips and shifts, label smoothing, and
   * each image's prediction averaged with its mirror's (the network has trained on mirrors).
   */
  public static final TrainConfig BEST =
      DEFAULT
          .withRecipe("best")
          .withLength(Length.epochs(BEST_EPOCHS))
          .withAugment(true)
          .withLabelSmoothing(BEST_LABEL_SMOOTHING)
          .withFlipAverage(true);

  /**
   * The fast recipe's peak rate: four times the default's, which the short triangular schedule
   * allows (docs/recipes.md, "How fast was chosen")...
   */
  public static final float FAST_LEARNING_RATE = 8e-3f;

  /**
   * ...for two epochs (860 batches of 64 an epoch), the first convolution started whitened; two
   * epochs are the images the race allows (docs/recipes.md)...
   */
  public static final int FAST_EPOCHS = 2;

  /** ...with targets smoothed as in {@link #BEST}... */
  public static final float FAST_LABEL_SMOOTHING = 0.1f;

  /** ...and the weights averaged over about the last hundred steps. */
  public static final float FAST_AVERAGE_DECAY = 0.99f;

  /**
   * The fewest images and seconds for 91%: the notebook's batches of 64, the first convolution
   * started as the whitening of the images' patches, a warm-up to {@link #FAST_LEARNING_RATE} then
   * a straight line down to zero over {@link #FAST_EPOCHS} epochs, label smoothing and averaged
   * weights, chosen by validation accuracy.
   */
  public static final TrainConfig FAST =
      DEFAULT
          .withRecipe("fast")
          .withLearningRate(FAST_LEARNING_RATE)
          .withSchedule(Schedule.WARMUP_LINEAR)
          .withLength(Length.epochs(FAST_EPOCHS))
          .withWhitenFirst(true)
          .withLabelSmoothing(FAST_LABEL_SMOOTHING)
          .withAverageDecay(FAST_AVERAGE_DECAY);

  public TrainConfig {
    if (batchSize <= 0) {
      throw new InvalidSettingException(
          "batchSize", "{batchSize} must be positive, got " + batchSize);
    }
    if (!(learningRate > 0 && Float.isFinite(learningRate))) {
      throw new InvalidSettingException(
          "learningRate", "{learningRate} must be a positive number, got " + learningRate);
    }
    if (warmupIterations < 0) {
      throw new InvalidSettingException(
          "warmupIterations", "{warmupIterations} must be 0 or more, got " + warmupIterations);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new InvalidSettingException(
          "labelSmoothing", "{labelSmoothing} must be in [0, 1), got " + labelSmoothing);
    }
    if (!(averageDecay == 0 || (averageDecay > 0 && averageDecay < 1))) {
      throw new InvalidSettingException(
          "averageDecay", "{averageDecay} must be 0 (off) or in (0, 1), got " + averageDecay);
    }
    if (validationSize < 0) {
      throw new InvalidSettingException(
          "validationSize", "{validationSize} must be 0 or more, got " + validationSize);
    }
    if (checkpointEvery < 0) {
      throw new InvalidSettingException(
          "checkpointEvery",
          "{checkpointEvery} must be 0 (each epoch) or more, got " + checkpointEvery);
    }
    if (evalBatchSize <= 0) {
      throw new InvalidSettingException(
          "evalBatchSize", "{evalBatchSize} must be positive, got " + evalBatchSize);
    }
    if (schedule == null || length == null || precision == null || recipe == null) {
      throw new IllegalArgumentException("schedule, length, precision and recipe must be given");
    }
  }

  /** The recipe called {@code name} (any case). */
  public static TrainConfig recipe(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "notebook" -> NOTEBOOK;
      case "default" -> DEFAULT;
      case "best" -> BEST;
      case "fast" -> FAST;
      default ->
          throw new IllegalArgumentException(
              "unknown recipe '" + name + "' (choose default, notebook, best or fast)");
    };
  }

  /** The learning rate at each iteration of a run of {@code plannedIterations}. */
  public LearningRateSchedule rateSchedule(long plannedIterations) {
    return switch (schedule) {
      case CONSTANT -> LearningRateSchedule.constant(learningRate);
      case WARMUP_COSINE ->
          LearningRateSchedule.warmupCosine(
              learningRate, Math.min(warmupIterations, plannedIterations), plannedIterations);
      case WARMUP_LINEAR ->
          LearningRateSchedule.warmupLinear(
              learningRate, Math.min(warmupIterations, plannedIterations), plannedIterations);
    };
  }

  /** One line for people, as a run prints it at the start. */
  public String describe(long plannedIterations, double epochs) {
    return String.format(
            Locale.ROOT,
            "Recipe: %s, %d iterations of %d images (%.2f epochs)",
            recipe,
            plannedIterations,
            batchSize,
            epochs)
        + rateAndExtras();
  }

  /** The recipe's settings in one line, before a run knows its data ({@code recipes} prints it). */
  public String describeSettings() {
    return String.format(Locale.ROOT, "%s: %s, batches of %d", recipe, length, batchSize)
        + rateAndExtras();
  }

  private String rateAndExtras() {
    return String.format(
            Locale.ROOT,
            ", learning rate %s%s, seed %d",
            learningRate,
            switch (schedule) {
              case CONSTANT -> "";
              case WARMUP_COSINE -> " (" + warmupIterations + " warm-up, cosine decay)";
              case WARMUP_LINEAR -> " (" + warmupIterations + " warm-up, linear decay)";
            },
            seed)
        + (whitenFirst ? ", first convolution whitened" : "")
        + (augment ? ", random flips and shifts" : "")
        + (labelSmoothing > 0 ? ", label smoothing " + labelSmoothing : "")
        + (averageDecay > 0 ? ", weights averaged (decay " + averageDecay + ")" : "")
        + (flipAverage ? ", predictions averaged with the mirrored image's" : "")
        + (precision == Precision.BF16 ? ", bf16" : "");
  }

  public TrainConfig withRecipe(String value) {
    return Records.with(this, "recipe", value);
  }

  public TrainConfig withBatchSize(int value) {
    return Records.with(this, "batchSize", value);
  }

  public TrainConfig withLearningRate(float value) {
    return Records.with(this, "learningRate", value);
  }

  public TrainConfig withLength(Length value) {
    return Records.with(this, "length", value);
  }

  public TrainConfig withWhitenFirst(boolean value) {
    return Records.with(this, "whitenFirst", value);
  }

  public TrainConfig withAugment(boolean value) {
    return Records.with(this, "augment", value);
  }

  public TrainConfig withLabelSmoothing(float value) {
    return Records.with(this, "labelSmoothing", value);
  }

  public TrainConfig withAverageDecay(float value) {
    return Records.with(this, "averageDecay", value);
  }

  public TrainConfig withFlipAverage(boolean value) {
    return Records.with(this, "flipAverage", value);
  }

  public TrainConfig withSchedule(Schedule value) {
    return Records.with(this, "schedule", value);
  }

  public TrainConfig withWarmupIterations(long value) {
    return Records.with(this, "warmupIterations", value);
  }

  public TrainConfig withSeed(long value) {
    return Records.with(this, "seed", value);
  }

  public TrainConfig withValidationSize(int value) {
    return Records.with(this, "validationSize", value);
  }

  public TrainConfig withCheckpointEvery(long value) {
    return Records.with(this, "checkpointEvery", value);
  }

  public TrainConfig withPrecision(Precision value) {
    return Records.with(this, "precision", value);
  }
}
