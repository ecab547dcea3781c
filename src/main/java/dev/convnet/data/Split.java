package dev.convnet.data;

/**
 * Cell In [6]: the first {@code validationSize} training images become the validation set, the rest
 * stay for training; the test set is untouched.
 */
public record Split(ImageSet train, ImageSet validation, ImageSet test) {
  public static Split of(FashionMnist.Data data, int validationSize) {
    ImageSet all = data.train();
    if (validationSize < 0 || validationSize >= all.size()) {
      throw new IllegalArgumentException(
          "validation size must be between 0 and " + (all.size() - 1) + ", got " + validationSize);
    }
    return new Split(
        all.slice(validationSize, all.size()), all.slice(0, validationSize), data.test());
  }
}
