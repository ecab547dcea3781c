package dev.convnet.model;

import dev.convnet.data.ImageSet;

/**
 * The network's shape: cell In [2] (filter sizes and counts, fc_size) and the variants the
 * tutorial's exercises ask for. Training settings live apart, in {@code TrainConfig}.
 *
 * @param filterSize1 convolution filters of layer 1 are filterSize1 x filterSize1 pixels (odd)
 * @param numFilters1 number of filters in convolutional layer 1
 * @param filterSize2 filters of layer 2 (and of any further convolutional layer), odd
 * @param numFilters2 number of filters in convolutional layer 2 (and any further one)
 * @param fcSize neurons in each hidden fully-connected layer
 * @param convLayers convolutional layers; 2 in the notebook (exercise 7 adds more, of layer 2's
 *     kind)
 * @param fcLayers hidden fully-connected layers of fcSize before the logits; 1 in the notebook
 * @param pooling how each convolutional layer halves the resolution (exercises 10, 11)
 * @param poolFirst pool, then activation, as the notebook orders them (exercise 6)
 * @param activation the non-linearity of convolutional and hidden layers (exercise 6)
 * @param reluLast a ReLU on the logits layer too (exercise 9; the notebook has none)
 * @param dropout probability of dropping each fc1 output while training (exercise 5); 0 for none
 */
public record ModelConfig(
    int filterSize1,
    int numFilters1,
    int filterSize2,
    int numFilters2,
    int fcSize,
    int convLayers,
    int fcLayers,
    Pooling pooling,
    boolean poolFirst,
    Activation activation,
    boolean reluLast,
    float dropout) {

  /** In [4]: pixels along each side of a Fashion-MNIST image. */
  public static final int IMG_SIZE = 28;

  /** In [4]: images are fed flat, 28 x 28 = 784 floats. */
  public static final int IMG_SIZE_FLAT = IMG_SIZE * IMG_SIZE;

  /** In [4]: grey-scale, one colour channel. */
  public static final int NUM_CHANNELS = 1;

  /** In [4]: ten clothing classes, {@code len(set(y_train))}: the data's, not a second 10. */
  public static final int NUM_CLASSES = ImageSet.NUM_CLASSES;

  /** The most convolutional layers: five 2x2 reductions take 28 pixels down to 1. */
  public static final int MAX_CONV_LAYERS = 5;

  /** The notebook's two convolutional layers are the fewest: figures look inside both. */
  public static final int MIN_CONV_LAYERS = 2;

  /** The most hidden fully-connected layers a run may ask for. */
  public static final int MAX_FC_LAYERS = 4;

  /** How a convolutional layer reduces its output's resolution. */
  public enum Pooling {
    /** 2x2 max-pooling, the notebook's. */
    MAX,
    /** 2x2 average-pooling. */
    AVG,
    /** No reduction: every layer keeps 28x28. */
    NONE,
    /** The convolution itself moves 2 pixels at a time, no pooling op. */
    STRIDE
  }

  /** The non-linearity after each convolution and hidden fully-connected layer. */
  public enum Activation {
    RELU,
    SIGMOID
  }

  public ModelConfig {
    requireOddPositive("--filter-size1", filterSize1);
    requireOddPositive("--filter-size2", filterSize2);
    requirePositive("--num-filters1", numFilters1);
    requirePositive("--num-filters2", numFilters2);
    requirePositive("--fc-size", fcSize);
    if (convLayers < MIN_CONV_LAYERS || convLayers > MAX_CONV_LAYERS) {
      throw new IllegalArgumentException(
          "--conv-layers must be between "
              + MIN_CONV_LAYERS
              + " and "
              + MAX_CONV_LAYERS
              + ", got "
              + convLayers);
    }
    if (fcLayers < 1 || fcLayers > MAX_FC_LAYERS) {
      throw new IllegalArgumentException(
          "--fc-layers must be between 1 and " + MAX_FC_LAYERS + ", got " + fcLayers);
    }
    if (pooling == null || activation == null) {
      throw new IllegalArgumentException("pooling and activation must be given");
    }
    if (poolFirst && (pooling == Pooling.NONE || pooling == Pooling.STRIDE)) {
      throw new IllegalArgumentException(
          "--pool-first needs a pooling op; --pooling "
              + pooling.name().toLowerCase()
              + " has none");
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
    }
  }

  /** The notebook's network: 5x5x16, 5x5x36, fc 128, max-pooling, ReLU, no dropout. */
  public static ModelConfig notebook() {
    return new ModelConfig(5, 16, 5, 36, 128, 2, 1, Pooling.MAX, false, Activation.RELU, false, 0f);
  }

  /** The same network with other filter sizes and counts and fc size (In [2]). */
  public ModelConfig withSizes(
      int newFilterSize1,
      int newNumFilters1,
      int newFilterSize2,
      int newNumFilters2,
      int newFcSize) {
    return new ModelConfig(
        newFilterSize1,
        newNumFilters1,
        newFilterSize2,
        newNumFilters2,
        newFcSize,
        convLayers,
        fcLayers,
        pooling,
        poolFirst,
        activation,
        reluLast,
        dropout);
  }

  /** The same sizes with the exercises' variants. */
  public ModelConfig withVariants(
      int newConvLayers,
      int newFcLayers,
      Pooling newPooling,
      boolean newPoolFirst,
      Activation newActivation,
      boolean newReluLast,
      float newDropout) {
    return new ModelConfig(
        filterSize1,
        numFilters1,
        filterSize2,
        numFilters2,
        fcSize,
        newConvLayers,
        newFcLayers,
        newPooling,
        newPoolFirst,
        newActivation,
        newReluLast,
        newDropout);
  }

  /** The side of the last convolutional layer's output, from 28 and one halving per layer. */
  public int finalImageSize() {
    int side = IMG_SIZE;
    for (int i = 0; i < convLayers; i++) {
      side = pooling == Pooling.NONE ? side : (side + 1) / 2;
    }
    return side;
  }

  /** One line for people: "conv 5x5x16, conv 5x5x36, fc 128, max-pool, relu". */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < convLayers; i++) {
      int size = i == 0 ? filterSize1 : filterSize2;
      int filters = i == 0 ? numFilters1 : numFilters2;
      sb.append(i == 0 ? "" : ", ").append("conv ").append(size).append('x').append(size);
      sb.append('x').append(filters);
    }
    for (int i = 0; i < fcLayers; i++) {
      sb.append(", fc ").append(fcSize);
    }
    sb.append(", ").append(pooling.name().toLowerCase()).append("-pool");
    sb.append(poolFirst ? " before " : ", ").append(activation.name().toLowerCase());
    if (reluLast) {
      sb.append(", relu on the logits");
    }
    if (dropout > 0) {
      sb.append(", dropout ").append(dropout);
    }
    return sb.toString();
  }

  private static void requirePositive(String flag, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, got " + value);
    }
  }

  private static void requireOddPositive(String flag, int value) {
    if (value <= 0 || value % 2 == 0) {
      // An even filter has no centre pixel, so SAME padding would shift the image.
      throw new IllegalArgumentException(flag + " must be a positive odd number, got " + value);
    }
  }
}
