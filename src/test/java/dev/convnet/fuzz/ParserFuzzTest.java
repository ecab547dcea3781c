package dev.convnet.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.DataException;
import dev.convnet.data.IdxReader;
import dev.convnet.serve.ImageInput;
import dev.convnet.testing.SyntheticData;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Every parser of outside bytes, fed random bytes, every truncation and mutated headers: the answer
 * is a valid result or a one-line error naming the source, never another exception.
 */
class ParserFuzzTest {
  private static final Path NAME = Path.of("fuzz-input");

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

  private static void assertOneLine(String message, String source) {
    assertTrue(message != null && message.startsWith(source), "names the source: " + message);
    assertFalse(message.contains("\n"), "one line: " + message);
  }

  /** The IDX reader: a valid file, or a DataException naming the file. */
  private static void parseIdx(byte[] bytes, int magic) {
    try {
      IdxReader.IdxFile file = IdxReader.parse(NAME, bytes, magic);
      long payload = 1;
      for (int d : file.dimensions()) {
        payload *= d;
      }
      assertEquals(payload, file.data().length, "a parsed file holds what its header promises");
    } catch (DataException e) {
      assertOneLine(e.getMessage(), NAME.toString());
    }
  }

  /** The image input: 784 pixels in [0, 1], or an IllegalArgumentException naming the input. */
  private static void readImage(byte[] bytes) {
    try {
      ImageInput.Prepared prepared = ImageInput.read(bytes, NAME.toString());
      assertEquals(784, prepared.pixels().length);
      for (float p : prepared.pixels()) {
        assertTrue(p >= 0 && p <= 1, "pixel " + p);
      }
    } catch (IllegalArgumentException e) {
      assertOneLine(e.getMessage(), NAME.toString());
    }
  }

  @Property(tries = 300)
  void idxRandomBytes(@ForAll @Size(max = 200) byte[] bytes, @ForAll boolean images) {
    parseIdx(bytes, images ? IdxReader.IMAGES_MAGIC : IdxReader.LABELS_MAGIC);
  }

  @Property(tries = 300)
  void idxMutatedHeader(@ForAll @IntRange(min = 0, max = 15) int position, @ForAll byte value) {
    byte[] bytes = VALID_IDX.clone();
    bytes[position] = value;
    parseIdx(bytes, IdxReader.IMAGES_MAGIC);
  }

  @Property(tries = 200)
  void idxHeaderDimensionsOfAnySize(@ForAll int count, @ForAll int rows, @ForAll int columns) {
    ByteBuffer header = ByteBuffer.allocate(16 + 48);
    header.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns);
    parseIdx(header.array(), IdxReader.IMAGES_MAGIC);
  }

  @Property(tries = 1)
  void idxEveryTruncation() {
    for (int length = 0; length <= VALID_IDX.length; length++) {
      parseIdx(Arrays.copyOf(VALID_IDX, length), IdxReader.IMAGES_MAGIC);
    }
  }

  @Provide
  Arbitrary<byte[]> validImages() {
    return Arbitraries.of(VALID_PNG, VALID_JPEG, VALID_GIF, VALID_BMP);
  }

  @Property(tries = 300)
  void imageRandomBytes(@ForAll @Size(max = 400) byte[] bytes) {
    readImage(bytes);
  }

  @Property(tries = 400)
  void imageMutatedBytes(
      @ForAll("validImages") byte[] valid,
      @ForAll @IntRange(min = 0, max = 400) int position,
      @ForAll byte value,
      @ForAll @IntRange(min = 1, max = 4) int mutations) {
    byte[] bytes = valid.clone();
    for (int m = 0; m < mutations; m++) {
      int at = (position * (m + 7)) % bytes.length;
      bytes[at] = (byte) (value + m);
    }
    readImage(bytes);
  }

  @Property(tries = 1)
  void imageEveryTruncation() {
    for (byte[] valid : new byte[][] {VALID_PNG, VALID_JPEG, VALID_GIF, VALID_BMP}) {
      for (int length = 0; length <= valid.length; length++) {
        readImage(Arrays.copyOf(valid, length));
      }
    }
  }
}
