package dev.convnet.train;

/**
 * A named training recipe: batch size, learning rate and its schedule, and the run length. The
 * network is the notebook's in every recipe; only how it is trained differs.
 */
public enum Recipe {
  /**
   * The default: reaches the notebook's promised 90% on two CPU cores in under two minutes. A
   * ten times larger peak rate than the notebook's, with a cosine decay to zero, over 5 epochs.
   */
  DEFAULT(64, 2e-3f, 0, 5, true, false, 0f),
  /** The notebook exactly: batch 64, Adam at 1e-4 held constant, 100 + 2,000 iterations. */
  NOTEBOOK(64, 1e-4f, 2_100, 0, false, false, 0f),
  /**
   * The most accurate: 40 epochs with the cosine schedule, each training image randomly mirrored
   * left-right and shifted by up to 2 pixels, and label smoothing of 0.1 (the network itself is
   * unchanged).
   */
  BEST(64, 2e-3f, 0, 40, true, true, 0.1f);

  public final int batchSize;
  public final float learningRate;
  /** Run length in iterations, or 0 when {@link #epochs} sets it. */
  public final long iterations;
  public final int epochs;
  /** Whether the rate warms up and then follows a cosine to zero (else it stays constant). */
  public final boolean cosineSchedule;
  /** Whether training images are randomly flipped and shifted (see {@link Augmentation}). */
  public final boolean augment;
  /** Label smoothing of the training targets (see {@link Trainer#setLabelSmoothing}); 0 for none. */
  public final float labelSmoothing;

  /** Iterations of linear warm-up before the cosine decay. */
  public static final long WARMUP_ITERATIONS = 100;

  Recipe(int batchSize, float learningRate, long iterations, int epochs, boolean cosineSchedule, boolean augment, float labelSmoothing) {
    this.augment = augment;
    this.labelSmoothing = labelSmoothing;
    this.batchSize = batchSize;
    this.learningRate = learningRate;
    this.iterations = iterations;
    this.epochs = epochs;
    this.cosineSchedule = cosineSchedule;
  }

  public LearningRateSchedule schedule(float peakRate, long totalIterations) {
    return cosineSchedule
        ? LearningRateSchedule.warmupCosine(peakRate, Math.min(WARMUP_ITERATIONS, totalIterations), totalIterations)
        : LearningRateSchedule.constant(peakRate);
  }
}
