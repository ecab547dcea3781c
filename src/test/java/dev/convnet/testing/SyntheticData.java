package dev.convnet.testing;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Small data sets that the tests generate: IDX files in any shape, and a learnable image set where
 * each class is a distinct bright bar pattern plus noise.
 */
public final class SyntheticData {
  private SyntheticData() {}

  /** IDX bytes: magic, dimensions, payload. */
  public static byte[] idx(int magic, int[] dims, byte[] payload) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(payload);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public static void write(Path file, byte[] bytes) throws IOException {
    if (file.getFileName().toString().endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(bytes);
      }
    } else {
      Files.write(file, bytes);
    }
  }

  /** A learnable set: class k lights row band k and column band (k * 3) % 10, plus noise. */
  public static ImageSet patterns(int count, long seed) {
    Random random = new Random(seed);
    int side = 28;
    byte[] pixels = new byte[count * side * side];
    byte[] labels = new byte[count];
    for (int n = 0; n < count; n++) {
      int label = n % 10;
      labels[n] = (byte) label;
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          boolean lit = y / 3 == label || x / 3 == (label * 3) % 10;
          int value = (lit ? 200 : 20) + random.nextInt(40);
          pixels[n * side * side + y * side + x] = (byte) value;
        }
      }
    }
    return new ImageSet(pixels, labels, side);
  }

  /**
   * Writes {@code train} and {@code test} as the four Fashion-MNIST files (gzipped) into {@code
   * dir}.
   */
  public static void writeFashionMnist(Path dir, ImageSet train, ImageSet test) throws IOException {
    Files.createDirectories(dir);
    writeSet(dir, FashionMnist.DataFile.TRAIN_IMAGES, FashionMnist.DataFile.TRAIN_LABELS, train);
    writeSet(dir, FashionMnist.DataFile.TEST_IMAGES, FashionMnist.DataFile.TEST_LABELS, test);
  }

  private static void writeSet(
      Path dir, FashionMnist.DataFile images, FashionMnist.DataFile labels, ImageSet set)
      throws IOException {
    int side = set.imageSize();
    write(
        dir.resolve(images.baseName + ".gz"),
        idx(2051, new int[] {set.size(), side, side}, set.pixels()));
    write(dir.resolve(labels.baseName + ".gz"), idx(2049, new int[] {set.size()}, set.labels()));
  }

  /**
   * A small split: {@code train} training, {@code validation} validation and {@code test} test
   * images.
   */
  public static Split split(int train, int validation, int test, long seed) {
    ImageSet all = patterns(train + validation, seed);
    return new Split(
        all.slice(validation, train + validation),
        all.slice(0, validation),
        patterns(test, seed + 1));
  }

  /**
   * A copy of {@code set} where every {@code every}-th label is shifted by one: errors the best
   * model makes.
   */
  public static ImageSet mislabel(ImageSet set, int every) {
    byte[] labels = set.labels().clone();
    for (int i = 0; i < labels.length; i += every) {
      labels[i] = (byte) ((labels[i] + 1) % 10);
    }
    return new ImageSet(set.pixels(), labels, set.imageSize());
  }

  /**
   * Random pixels and labels: nothing to learn, but large gradients that expose any ordering race.
   */
  public static ImageSet noise(int count, long seed) {
    Random random = new Random(seed);
    byte[] pixels = new byte[count * 784];
    random.nextBytes(pixels);
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) random.nextInt(10);
    }
    return new ImageSet(pixels, labels, 28);
  }

  /** {@code n} seeded random values in [-1, 1), for layer inputs and weights. */
  public static float[] uniform(int n, long seed) {
    Random random = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }
}
