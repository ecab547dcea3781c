package dev.convnet.model;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.common.Records;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import java.util.Locale;

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
 * @param poolFirst pool, then activation, the order of the notebook's In [9] (exercise 6); the
 *     default is activation, then pool
 * @param activation the non-linearity of convolutional and hidden layers (exercise 6)
 * @param reluLast a ReLU on the logits layer too (exercise 9; the notebook has none)
 * @param dropout probability of dropping each fc1 output while training (exercise 5); 0 for none
 * @param numClasses outputs of the logits layer: the data's classes (In [4]), 10 for Fashion-MNIST
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
    float dropout,
    int numClasses) {

  /** In [2]: convolution filters of layer 1 are 5 x 5 pixels. */
  public static final int FILTER_SIZE1 = 5;

  /** In [2]: there are 16 of these filters. */
  public static final int NUM_FILTERS1 = 16;

  /** In [2]: convolution filters of layer 2 are 5 x 5 pixels. */
  public static final int FILTER_SIZE2 = 5;

  /** In [2]: there are 36 of these filters. */
  public static final int NUM_FILTERS2 = 36;

  /** In [2]: number of neurons in the fully-connected layer. */
  public static final int FC_SIZE = 128;

  /** In [4]: pixels along each side of a Fashion-MNIST image. */
  public static final int IMG_SIZE = FashionMnist.IMAGE_SIDE;

  /** In [4]: images are fed flat, 28 x 28 = 784 floats. */
  public static final int IMG_SIZE_FLAT = IMG_SIZE * IMG_SIZE;

  /** In [4]: grey-scale, one colour channel. */
  public static final int NUM_CHANNELS = 1;

  /**
   * In [4]: Fashion-MNIST's ten clothing classes, {@code len(set(y_train))}: the data's, not a
   * second 10. Another data set's count replaces it ({@link #withNumClasses}).
   */
  public static final int NUM_CLASSES = FashionMnist.LABELS.size();

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
    requireOddPositive("filterSize1", filterSize1);
    requireOddPositive("filterSize2", filterSize2);
    requirePositive("numFilters1", numFilters1);
    requirePositive("numFilters2", numFilters2);
    requirePositive("fcSize", fcSize);
    if (convLayers < MIN_CONV_LAYERS || convLayers > MAX_CONV_LAYERS) {
      throw new InvalidSettingException(
          "convLayers",
          "{convLayers} must be between "
              + MIN_CONV_LAYERS
              + " and "
              + MAX_CONV_LAYERS
              + ", got "
              + convLayers);
    }
    if (fcLayers < 1 || fcLayers > MAX_FC_LAYERS) {
      throw new InvalidSettingException(
          "fcLayers", "{fcLayers} must be between 1 and " + MAX_FC_LAYERS + ", got " + fcLayers);
    }
    if (pooling == null || activation == null) {
      throw new InvalidSettingException(
          pooling == null ? "pooling" : "activation", "{pooling} and {activation} must be given");
    }
    if (poolFirst && (pooling == Pooling.NONE || pooling == Pooling.STRIDE)) {
      throw new InvalidSettingException(
          "poolFirst",
          "{poolFirst} needs a pooling op; {pooling} "
              + pooling.name().toLowerCase(Locale.ROOT)
              + " has none");
    }
    if (numClasses < 2 || numClasses > ImageSet.MAX_CLASSES) {
      throw new InvalidSettingException(
          "numClasses",
          "{numClasses} must be between 2 and " + ImageSet.MAX_CLASSES + ", got " + numClasses);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new InvalidSettingException("dropout", "{dropout} must be in [0, 1), got " + dropout);
    }
  }

  /**
   * The notebook's network: 5x5x16, 5x5x36, fc 128, max-pooling, ReLU, no dropout; each ReLU before
   * its max-pool (the notebook pools first: the same numbers, see {@link Layers#newConvLayer}).
   */
  public static ModelConfig notebook() {
    return NOTEBOOK;
  }

  /**
   * Whether this is the notebook's layer structure (In [16]-[25]: two convolutions with ReLU and
   * max-pool, one hidden fully-connected layer, no dropout, ReLU before pooling) at any sizes: the
   * network {@code ConvNet} builds from the notebook's five helper calls.
   */
  public boolean hasNotebookLayers() {
    return convLayers == 2
        && fcLayers == 1
        && pooling == Pooling.MAX
        && !poolFirst
        && activation == Activation.RELU
        && !reluLast
        && dropout == 0;
  }

  /** In [2]'s sizes, and every exercise's variant switched off. */
  private static final ModelConfig NOTEBOOK =
      new ModelConfig(
          FILTER_SIZE1,
          NUM_FILTERS1,
          FILTER_SIZE2,
          NUM_FILTERS2,
          FC_SIZE,
          2, // In [16] and [18]
          1, // In [23]
          Pooling.MAX,
          false, // ReLU, then pool: the same numbers as the notebook's order
          Activation.RELU,
          false, // In [25]: the logits have no ReLU
          0f, // no dropout
          NUM_CLASSES); // In [4]

  public ModelConfig withFilterSize1(int value) {
    return Records.with(this, "filterSize1", value);
  }

  public ModelConfig withNumFilters1(int value) {
    return Records.with(this, "numFilters1", value);
  }

  public ModelConfig withFilterSize2(int value) {
    return Records.with(this, "filterSize2", value);
  }

  public ModelConfig withNumFilters2(int value) {
    return Records.with(this, "numFilters2", value);
  }

  public ModelConfig withFcSize(int value) {
    return Records.with(this, "fcSize", value);
  }

  public ModelConfig withConvLayers(int value) {
    return Records.with(this, "convLayers", value);
  }

  public ModelConfig withFcLayers(int value) {
    return Records.with(this, "fcLayers", value);
  }

  public ModelConfig withPooling(Pooling value) {
    return Records.with(this, "pooling", value);
  }

  public ModelConfig withPoolFirst(boolean value) {
    return Records.with(this, "poolFirst", value);
  }

  public ModelConfig withActivation(Activation value) {
    return Records.with(this, "activation", value);
  }

  public ModelConfig withReluLast(boolean value) {
    return Records.with(this, "reluLast", value);
  }

  public ModelConfig withDropout(float value) {
    return Records.with(this, "dropout", value);
  }

  /** This network with {@code value} outputs: the classes of the data it trains on. */
  public ModelConfig withNumClasses(int value) {
    return Records.with(this, "numClasses", value);
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
    if (numClasses != NUM_CLASSES) {
      sb.append(", ").append(numClasses).append(" classes");
    }
    return sb.toString();
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new InvalidSettingException(field, "{" + field + "} must be positive, got " + value);
    }
  }

  private static void requireOddPositive(String field, int value) {
    if (value <= 0 || value % 2 == 0) {
      // An even filter has no centre pixel, so SAME padding would shift the image.
      throw new InvalidSettingException(
          field, "{" + field + "} must be a positive odd number, got " + value);
    }
  }
}
