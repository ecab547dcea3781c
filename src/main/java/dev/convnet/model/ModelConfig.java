package dev.convnet.model;

/**
 * Every hyperparameter of the network and its training in one place (cells In [2], [31], [36]),
 * with the notebook's values as {@link #notebook()}.
 *
 * @param filterSize1   convolution filters of layer 1 are filterSize1 x filterSize1 pixels (odd)
 * @param numFilters1   number of filters in convolutional layer 1
 * @param filterSize2   convolution filters of layer 2 are filterSize2 x filterSize2 pixels (odd)
 * @param numFilters2   number of filters in convolutional layer 2
 * @param fcSize        neurons in the fully-connected layer
 * @param trainBatchSize images per optimization iteration
 * @param learningRate  Adam's learning rate
 * @param seed          seeds the weight initializers and the batch order
 */
public record ModelConfig(
    int filterSize1,
    int numFilters1,
    int filterSize2,
    int numFilters2,
    int fcSize,
    int trainBatchSize,
    float learningRate,
    long seed) {

  /** Pixels along each side of a Fashion-MNIST image. */
  public static final int IMG_SIZE = 28;
  /** Images are fed flat: 28 x 28 = 784 floats. */
  public static final int IMG_SIZE_FLAT = IMG_SIZE * IMG_SIZE;
  /** Grey-scale: one colour channel. */
  public static final int NUM_CHANNELS = 1;
  /** Ten clothing classes. */
  public static final int NUM_CLASSES = 10;
  /** Seed used when none is given. */
  public static final long DEFAULT_SEED = 42;

  public ModelConfig {
    requireOddPositive("filterSize1", filterSize1);
    requireOddPositive("filterSize2", filterSize2);
    requirePositive("numFilters1", numFilters1);
    requirePositive("numFilters2", numFilters2);
    requirePositive("fcSize", fcSize);
    requirePositive("trainBatchSize", trainBatchSize);
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
    }
  }

  /** The notebook's values: 5x5x16, 5x5x36, fc 128, batch 64, Adam at 1e-4. */
  public static ModelConfig notebook() {
    return new ModelConfig(5, 16, 5, 36, 128, 64, 1e-4f, DEFAULT_SEED);
  }

  public ModelConfig withTraining(int batchSize, float rate, long newSeed) {
    return new ModelConfig(filterSize1, numFilters1, filterSize2, numFilters2, fcSize, batchSize, rate, newSeed);
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void requireOddPositive(String name, int value) {
    if (value <= 0 || value % 2 == 0) {
      // An even filter has no centre pixel, so SAME padding would shift the image.
      throw new IllegalArgumentException(name + " must be a positive odd number, got " + value);
    }
  }
}
