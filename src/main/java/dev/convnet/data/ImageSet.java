package dev.convnet.data;

import java.util.Arrays;

/**
 * Images as unsigned bytes (row-major, {@code size * pixelsPerImage}) and labels 0-9. Float and
 * one-hot views are made per batch, so the whole set stays at one byte a pixel.
 */
public record ImageSet(byte[] pixels, byte[] labels, int imageSize) {
  /** Labels run from 0 to NUM_CLASSES - 1: one per name of {@link FashionMnist#LABELS}. */
  public static final int NUM_CLASSES = FashionMnist.LABELS.size();

  public ImageSet {
    if (pixels.length != (long) labels.length * imageSize * imageSize) {
      throw new IllegalArgumentException(
          "pixels and labels disagree: "
              + pixels.length
              + " bytes for "
              + labels.length
              + " labels");
    }
  }

  public int size() {
    return labels.length;
  }

  public int pixelsPerImage() {
    return imageSize * imageSize;
  }

  public int label(int index) {
    return labels[index];
  }

  /** The images {@code [from, to)} as a new set. */
  public ImageSet slice(int from, int to) {
    int p = pixelsPerImage();
    return new ImageSet(
        Arrays.copyOfRange(pixels, from * p, to * p),
        Arrays.copyOfRange(labels, from, to),
        imageSize);
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
   * floats in [0, 1], their labels into {@code y} as {@code [n, 10]} targets, one-hot or, with
   * {@code labelSmoothing} above 0, {@code 1 - e + e/10} for the true class and {@code e/10}
   * elsewhere. Reusing the two arrays keeps the training step free of allocations.
   */
  public void fillBatch(int[] indices, float[] x, float[] y, float labelSmoothing) {
    float off = labelSmoothing / NUM_CLASSES;
    Arrays.fill(y, 0, indices.length * NUM_CLASSES, off);
    for (int k = 0; k < indices.length; k++) {
      copyImage(indices[k], x, k * pixelsPerImage());
      y[k * NUM_CLASSES + labels[indices[k]]] = 1f - labelSmoothing + off;
    }
  }

  /** Labels {@code indices} one-hot encoded as {@code [n, 10]} (the notebook's to_categorical). */
  public float[] oneHot(int[] indices) {
    float[] out = new float[indices.length * NUM_CLASSES];
    for (int k = 0; k < indices.length; k++) {
      out[k * NUM_CLASSES + labels[indices[k]]] = 1f;
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
    int[] counts = new int[NUM_CLASSES];
    for (byte label : labels) {
      counts[label]++;
    }
    return counts;
  }
}
