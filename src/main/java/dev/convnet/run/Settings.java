package dev.convnet.run;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.lang.management.ManagementFactory;

/**
 * Settings that each make sense alone but cannot run here: refused, naming the field, before any
 * data is read.
 */
public final class Settings {
  /** Bytes per float. */
  private static final long FLOAT_BYTES = Float.BYTES;

  /**
   * A training step keeps each layer's output, its gradient and the optimizer's scratch: about
   * three floats per activation, measured on the notebook's network within 20%.
   */
  private static final long COPIES_PER_ACTIVATION = 3;

  /** Native memory a step may take, as a share of the machine's physical memory. */
  private static final double MEMORY_SHARE = 0.75;

  private Settings() {}

  /**
   * Refuses {@code model} and {@code training} on {@code trainingImages} images if they cannot run.
   */
  public static void check(ModelConfig model, TrainConfig training, DataSource data) {
    check(
        model,
        training,
        data.trainingImages(),
        data.validationImages(training.validationSize()),
        Runtime.getRuntime().maxMemory(),
        physicalMemory());
  }

  /** {@link #check} of In [6]'s split against the given Java heap and physical memory, in bytes. */
  static void check(
      ModelConfig model, TrainConfig training, int trainingImages, long heap, long physical) {
    check(model, training, trainingImages, training.validationSize(), heap, physical);
  }

  private static void check(
      ModelConfig model,
      TrainConfig training,
      int trainingImages,
      int validation,
      long heap,
      long physical) {
    if (validation >= trainingImages) {
      throw new InvalidSettingException(
          "validationSize",
          "{validationSize} "
              + validation
              + " leaves no training images (there are "
              + trainingImages
              + "); give fewer");
    }
    int train = trainingImages - validation;
    if (training.batchSize() > train) {
      throw new InvalidSettingException(
          "batchSize",
          "{batchSize} "
              + training.batchSize()
              + " is larger than the training set ("
              + train
              + " images); give at most "
              + train);
    }
    long heapNeeded =
        (long) training.batchSize() * (ModelConfig.IMG_SIZE_FLAT + model.numClasses()) * FLOAT_BYTES
            + (long) trainingImages * ModelConfig.IMG_SIZE_FLAT;
    if (heapNeeded > heap * 0.8) {
      throw new InvalidSettingException(
          "batchSize",
          String.format(
              "{batchSize} %d needs about %d MB of Java heap for its batches and the images, more"
                  + " than the %d MB this process has; lower {batchSize}, or raise the heap with"
                  + " CONVNET_JAVA_OPTS=-Xmx4g",
              training.batchSize(), heapNeeded >> 20, heap >> 20));
    }
    long nativeNeeded =
        training.batchSize() * activationsPerImage(model) * FLOAT_BYTES * COPIES_PER_ACTIVATION;
    if (physical > 0 && nativeNeeded > physical * MEMORY_SHARE) {
      throw new InvalidSettingException(
          "batchSize",
          String.format(
              "{batchSize} %d with this network needs about %d MB per training step, more than"
                  + " this machine's %d MB allow; lower {batchSize}",
              training.batchSize(), nativeNeeded >> 20, physical >> 20));
    }
  }

  /** Floats one image produces across the layers (inputs, convolutions, pools, fc layers). */
  static long activationsPerImage(ModelConfig model) {
    long total = ModelConfig.IMG_SIZE_FLAT;
    int side = ModelConfig.IMG_SIZE;
    for (int i = 0; i < model.convLayers(); i++) {
      int filters = i == 0 ? model.numFilters1() : model.numFilters2();
      total += (long) side * side * filters * 2; // convolution + activation
      if (model.pooling() != ModelConfig.Pooling.NONE) {
        side = (side + 1) / 2;
        total += (long) side * side * filters;
      }
    }
    return total + (long) model.fcLayers() * model.fcSize() * 2 + model.numClasses() * 3L;
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return -1;
  }
}
