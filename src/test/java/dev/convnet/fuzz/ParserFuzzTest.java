package dev.convnet.fuzz;

import dev.convnet.data.IdxReader;
import dev.convnet.testing.SyntheticData;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Every parser of outside bytes, fed random bytes, every truncation and mutated headers: the answer
 * is a valid result or a one-line error naming the source, never another exception.
 */
class ParserFuzzTest {
  /** A small valid images file: 3 images of 4x4. */
  private static final byte[] VALID_IDX =
      SyntheticData.idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 4}, new byte[3 * 16]);

  private static final byte[] VALID_PNG = encode("png");
  private static final byte[] VALID_JPEG = encode("jpg");
  private static final byte[] VALID_GIF = encode("gif");
  private static final byte[] VALID_BMP = encode("bmp");

  private static byte[] encode(String format) {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 40, 30);
    g.setColor(Color.BLACK);
    g.fillOval(10, 5, 20, 20);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, format, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The IDX reader: a valid file, or a DataException naming the file (FuzzTargets' contract). */
  private static void parseIdx(byte[] bytes, int magic) {
    FuzzTargets.checkIdx(bytes, magic);
  }

  /** The image input: 784 pixels in [0, 1], or a refusal naming the input. */
  private static void readImage(byte[] bytes) {
    FuzzTargets.checkImage(bytes);
  }

  /** Cases per randomized property; with the exhaustive ones 10,565 in all, about 2 s. */
  private static final int TRIES = 300;

  private static byte[] randomBytes(SplittableRandom random, int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  @Test
  void idxRandomBytes() {
    SplittableRandom random = new SplittableRandom(1);
    for (int t = 0; t < TRIES; t++) {
      byte[] bytes = randomBytes(random, 200);
      parseIdx(bytes, random.nextBoolean() ? IdxReader.IMAGES_MAGIC : IdxReader.LABELS_MAGIC);
    }
  }

  @Test
  void idxEveryHeaderByteSetToEveryValue() {
    for (int position = 0; position < 16; position++) {
      for (int value = Byte.MIN_VALUE; value <= Byte.MAX_VALUE; value++) {
        byte[] bytes = VALID_IDX.clone();
        bytes[position] = (byte) value;
        parseIdx(bytes, IdxReader.IMAGES_MAGIC);
      }
    }
  }

  @Test
  void idxHeaderDimensionsOfAnySize() {
    SplittableRandom random = new SplittableRandom(2);
    int[] edges = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 16, 48};
    for (int t = 0; t < TRIES; t++) {
      ByteBuffer header = ByteBuffer.allocate(16 + 48);
      header.putInt(IdxReader.IMAGES_MAGIC);
      for (int d = 0; d < 3; d++) {
        header.putInt(
            random.nextBoolean() ? edges[random.nextInt(edges.length)] : random.nextInt());
      }
      parseIdx(header.array(), IdxReader.IMAGES_MAGIC);
    }
  }

  @Test
  void idxEveryTruncation() {
    for (int length = 0; length <= VALID_IDX.length; length++) {
      parseIdx(Arrays.copyOf(VALID_IDX, length), IdxReader.IMAGES_MAGIC);
    }
  }

  @Test
  void imageRandomBytes() {
    SplittableRandom random = new SplittableRandom(3);
    for (int t = 0; t < TRIES; t++) {
      readImage(randomBytes(random, 400));
    }
  }

  @Test
  void imageMutatedBytes() {
    SplittableRandom random = new SplittableRandom(4);
    byte[][] valid = {VALID_PNG, VALID_JPEG, VALID_GIF, VALID_BMP};
    for (int t = 0; t < 2 * TRIES; t++) {
      byte[] bytes = valid[t % valid.length].clone();
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        // Mostly in the header, where sizes and formats are declared.
        int limit = random.nextInt(4) == 0 ? bytes.length : Math.min(64, bytes.length);
        bytes[random.nextInt(limit)] = (byte) random.nextInt(256);
      }
      readImage(bytes);
    }
  }

  @Test
  void imageEveryTruncation() {
    for (byte[] valid : new byte[][] {VALID_PNG, VALID_JPEG, VALID_GIF, VALID_BMP}) {
      for (int length = 0; length <= valid.length; length++) {
        readImage(Arrays.copyOf(valid, length));
      }
    }
  }
}
