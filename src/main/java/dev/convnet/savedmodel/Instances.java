package dev.convnet.savedmodel;

import dev.convnet.data.ImageInput;
import java.util.List;

/**
 * The images of a request, one of two kinds: pixels for {@code serving_default}, or encoded image
 * files for {@code serving_images}.
 */
public sealed interface Instances {
  /** How many images. */
  int n();

  /** The images as 784 floats each: files decoded and prepared as {@code predict} prepares them. */
  float[] pixels(String what);

  /** {@code n} images of 784 floats each in [0, 1]. */
  record Pixels(float[] values, int n) implements Instances {
    @Override
    public float[] pixels(String what) {
      return values;
    }
  }

  /** Encoded image files (PNG, JPEG, GIF, BMP), one an image. */
  record Files(List<byte[]> files) implements Instances {
    @Override
    public int n() {
      return files.size();
    }

    @Override
    public float[] pixels(String what) {
      return ImageInput.pixels(files, what);
    }
  }
}
