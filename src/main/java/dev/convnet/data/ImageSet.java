package dev.convnet.data;

import java.util.Arrays;
import java.util.List;

/**
 * Images as unsigned bytes (row-major, {@code size * pixelsPerImage}) and their labels, each an
 * unsigned byte that indexes {@code classNames}. Float and one-hot views are made per batch, so the
 * whole set stays at one byte a pixel.
 *
 * @param classNames the name of each class, the label being its index: Fashion-MNIST's ten (In [5])
 *     or a data set's own
 */
public record ImageSet(byte[] pixels, byte[] labels, int imageSize, List<String> classNames) {
  /** The most classes a set holds: a label is one unsigned byte. */
  public static final int MAX_CLASSES = 256;

  /** A set of Fashion-MNIST's ten classes. */
  public ImageSet(byte[] pixels, byte[] labels, int imageSize) {
    this(pixels, labels, imageSize, FashionMnist.LABELS);
  }

  public ImageSet {
    classNames = List.copyOf(classNames);
    if (classNames.size() < 1 || classNames.size() > MAX_CLASSES) {
      throw new IllegalArgumentException(
          "a set has 1 to " + MAX_CLASSES + " classes, not " + classNames.size());
    }
    if (pixels.length != (long) labels.length * imageSize * imageSize) {
      throw new IllegalArgumentException(
          "pixels and labels disagree: "
              + pixels.length
              + " bytes for "
              + labels.length
              + " labels");
    }
    for (byte label : labels) {
      if ((label & 0xFF) >= classNames.size()) {
        throw new IllegalArgumentException(
            "label " + (label & 0xFF) + " names no class of " + classNames.size());
      }
    }
  }

  public int size() {
    return labels.length;
  }

  public int pixelsPerImage() {
    return imageSize * imageSize;
  }

  /** How many classes the labels index: the network's {@code num_classes} (In [4]). */
  public int numClasses() {
    return classNames.size();
  }

  public int label(int index) {
    return labels[index] & 0xFF;
  }

  /** The images {@code [from, to)} as a new set. */
  public ImageSet slice(int from, int to) {
    int p = pixelsPerImage();
    return new ImageSet(
        Arrays.copyOfRange(pixels, from * p, to * p),
        Arrays.copyOfRange(labels, from, to),
        imageSize,
        classNames);
  }

  /** Writes image {@code index} scaled to [0, 1] into {@code out} at {@code offset}. */
  public void copyImage(int index, float[] out, int offset) {
    int p = pixelsPerImage();
    int base = index * p;
    for (int i = 0; i < p; i++) {
      out[offset + i] = (pixels[base + i] & 0xFF) / 255f;
    }
  }

  /** One image scaled to [0, 1], as the network's input {@code x} takes it. */
  public float[] image(int index) {
    float[] out = new float[pixelsPerImage()];
    copyImage(index, out, 0);
    return out;
  }

  /**
   * Images {@code indices} as {@code [n, 784]} floats in [0, 1] (the notebook's reshape to 784).
   */
  public float[] images(int[] indices) {
    float[] out = new float[indices.length * pixelsPerImage()];
    for (int k = 0; k < indices.length; k++) {
      copyImage(indices[k], out, k * pixelsPerImage());
    }
    return out;
  }

  /**
   * Fills a training batch in place: images {@code indices} into {@code x} as {@code [n, 784]}
   * floats in [0, 1], their labels into {@code y} as {@code [n, numClasses]} targets, one-hot or,
   * with {@code labelSmoothing} above 0, {@code 1 - e + e/k} for the true class and {@code e/k}
   * elsewhere. Reusing the two arrays keeps the training step free of allocations.
   */
  public void fillBatch(int[] indices, float[] x, float[] y, float labelSmoothing) {
    int classes = numClasses();
    float off = labelSmoothing / classes;
    Arrays.fill(y, 0, indices.length * classes, off);
    for (int k = 0; k < indices.length; k++) {
      copyImage(indices[k], x, k * pixelsPerImage());
      y[k * classes + label(indices[k])] = 1f - labelSmoothing + off;
    }
  }

  /**
   * Labels {@code indices} one-hot encoded as {@code [n, numClasses]} (the notebook's
   * to_categorical).
   */
  public float[] oneHot(int[] indices) {
    int classes = numClasses();
    float[] out = new float[indices.length * classes];
    for (int k = 0; k < indices.length; k++) {
      out[k * classes + label(indices[k])] = 1f;
    }
    return out;
  }

  /** Indices {@code [from, to)}, for walking a set in order. */
  public static int[] range(int from, int to) {
    int[] out = new int[to - from];
    for (int i = 0; i < out.length; i++) {
      out[i] = from + i;
    }
    return out;
  }

  /** How many images carry each label. */
  public int[] classCounts() {
    int[] counts = new int[numClasses()];
    for (byte label : labels) {
      counts[label & 0xFF]++;
    }
    return counts;
  }
}
