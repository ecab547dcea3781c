package dev.convnet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image files from anywhere: every kind the decoders know is classified, hostile ones refused. */
class ImageInputTest {
  @TempDir Path dir;

  /** A dark shoe-like blob on white paper, drawn into {@code image}. */
  private static <T extends BufferedImage> T drawn(T image) {
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setColor(Color.DARK_GRAY);
    g.fillRect(
        image.getWidth() / 4, image.getHeight() / 3, image.getWidth() / 2, image.getHeight() / 3);
    g.dispose();
    return image;
  }

  private static byte[] encode(BufferedImage image, String format) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), "a " + format + " writer for " + image.getType());
    return out.toByteArray();
  }

  private static void assertClassifiable(ImageInput.Prepared p) {
    assertEquals(784, p.pixels().length);
    assertTrue(p.inverted(), "white paper is inverted to light-on-dark");
    float centre = p.pixels()[14 * 28 + 14];
    float corner = p.pixels()[0];
    assertTrue(
        centre > corner + 0.3,
        "the object is lighter than the background: " + centre + " vs " + corner);
  }

  @Test
  void sixteenBitPaletteAlphaAndGreyImagesAreAllRead() throws Exception {
    BufferedImage grey16 = drawn(new BufferedImage(60, 60, BufferedImage.TYPE_USHORT_GRAY));
    assertClassifiable(ImageInput.read(encode(grey16, "png"), "grey16.png"));

    byte[] levels = {0, (byte) 64, (byte) 128, (byte) 255};
    IndexColorModel palette = new IndexColorModel(2, 4, levels, levels, levels);
    BufferedImage indexed =
        drawn(new BufferedImage(60, 60, BufferedImage.TYPE_BYTE_BINARY, palette));
    assertClassifiable(ImageInput.read(encode(indexed, "png"), "palette.png"));

    BufferedImage alpha = drawn(new BufferedImage(60, 60, BufferedImage.TYPE_INT_ARGB));
    assertClassifiable(ImageInput.read(encode(alpha, "png"), "alpha.png"));

    BufferedImage rgb = drawn(new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB));
    for (String format : new String[] {"jpg", "gif", "bmp"}) {
      assertClassifiable(ImageInput.read(encode(rgb, format), "image." + format));
    }
  }

  @Test
  void aCmykJpegIsConvertedFromItsChannels() throws Exception {
    // Adobe's inverted CMYK: white paper is 255 in every channel, the object darker.
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 60, 60, 4, null);
    for (int y = 0; y < 60; y++) {
      for (int x = 0; x < 60; x++) {
        boolean object = x >= 15 && x < 45 && y >= 20 && y < 40;
        int v = object ? 60 : 255;
        raster.setPixel(x, y, new int[] {v, v, v, 255});
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(new IIOImage(raster, null, null));
    } finally {
      writer.dispose();
    }
    assertClassifiable(ImageInput.read(out.toByteArray(), "cmyk.jpg"));
  }

  @Test
  void aLargePhotoIsDecodedSubsampled() throws Exception {
    BufferedImage big = drawn(new BufferedImage(6000, 4000, BufferedImage.TYPE_BYTE_GRAY));
    assertEquals(3, ImageInput.subsampling(6000, 4000), "24 MP read as every third pixel");
    assertEquals(1, ImageInput.subsampling(2000, 2000));
    assertEquals(
        25, ImageInput.subsampling(100_000, 1), "a thin strip is bounded by its long side");
    assertClassifiable(ImageInput.read(encode(big, "png"), "big.png"));
  }

  /** A real PNG whose header then claims {@code width x height}, CRC fixed so decoders read it. */
  private static byte[] pngClaiming(int width, int height) throws Exception {
    byte[] png = encode(drawn(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY)), "png");
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, width).putInt(20, height); // IHDR data starts at byte 16
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17); // "IHDR" and its 13 data bytes
    b.putInt(29, (int) crc.getValue());
    return png;
  }

  @Test
  void aHeaderPromisingAGiganticImageIsRefusedBeforeDecoding() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageInput.read(pngClaiming(100_000, 100_000), "bomb.png"));
    assertTrue(
        e.getMessage().startsWith("bomb.png: 100000x100000 pixels is more than"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageInput.read(pngClaiming(10_000, 10_000), "lie.png"));
    // 100 megapixels from 80 bytes: no image compresses that far, so it is refused before decoding.
    assertTrue(
        e.getMessage().startsWith("lie.png: 10000x10000 pixels from 80 bytes is more than"),
        e.getMessage());
  }

  @Test
  void foldersMissingFilesAndTextAreNamedInOneLine() throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageInput.read(dir));
    assertTrue(e.getMessage().endsWith("is a folder; give image files"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> ImageInput.read(dir.resolve("none.png")));
    assertTrue(e.getMessage().endsWith("no such file"), e.getMessage());
    Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
    e = assertThrows(IllegalArgumentException.class, () -> ImageInput.read(text));
    assertTrue(e.getMessage().endsWith("not a PNG, JPEG, GIF or BMP image"), e.getMessage());
  }

  @Test
  void pipesAndDevicesAreNamedAndRefusedWithoutReadingThem() throws Exception {
    Path fifo = dir.resolve("images.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo works here");
    // Reading a pipe with no writer would block: the refusal must come first.
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageInput.read(fifo));
    assertEquals(fifo + ": not a regular file (a named pipe); give image files", e.getMessage());
    Path zero = Path.of("/dev/zero");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero));
    e = assertThrows(IllegalArgumentException.class, () -> ImageInput.read(zero));
    assertEquals(
        "/dev/zero: not a regular file (a character device); give image files", e.getMessage());
  }

  @Test
  void aFileThatCannotBeReadSaysPermissionDenied() throws Exception {
    Path locked = Files.writeString(dir.resolve("locked.png"), "x");
    Files.setPosixFilePermissions(locked, java.util.Set.of());
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Files.isReadable(locked), "this user reads every file (root)");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageInput.read(locked));
    assertEquals(locked + ": permission denied", e.getMessage());
  }
}
