package dev.convnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * PNGJ's decoding gives the very pixels ImageIO's gives: each kind of PNG it takes (8-bit grey,
 * RGB, RGBA), at several sizes, with noise, a light and a dark background, prepares to the same 784
 * floats bit for bit (the same samples go through the same arithmetic), and every other kind is
 * left to ImageIO.
 */
class PngFilesTest {
  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  /** A product-like picture: a background, a filled shape, noise. */
  private static BufferedImage picture(int type, int w, int h, boolean light, long seed) {
    BufferedImage image = new BufferedImage(w, h, type);
    Graphics2D g = image.createGraphics();
    g.setColor(light ? new Color(245, 240, 235, 255) : new Color(10, 20, 30, 255));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(120, 60, 200, 200));
    g.fillOval(w / 5, h / 6, w / 2, h / 2);
    g.dispose();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < w * h / 7; i++) {
      int argb = random.nextInt() | (type == BufferedImage.TYPE_INT_ARGB ? 0 : 0xFF000000);
      image.setRGB(random.nextInt(w), random.nextInt(h), argb);
    }
    return image;
  }

  @Test
  void eachKindPngjTakesPreparesToImageIosPixelsBitForBit() throws IOException {
    int[] types = {
      BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB
    };
    int[][] sizes = {{28, 28}, {1, 1}, {40, 30}, {17, 300}, {640, 480}};
    int checked = 0;
    for (int type : types) {
      for (int[] size : sizes) {
        for (boolean light : new boolean[] {true, false}) {
          byte[] file = png(picture(type, size[0], size[1], light, checked));
          assertNotNull(PngFiles.decode(file), "PNGJ takes type " + type);
          ImageInput.Prepared byPngj = ImageInput.read(file, "f");
          ImageInput.Prepared byImageIo = ImageInput.readWithImageIO(file, "f");
          assertArrayEquals(byImageIo.pixels(), byPngj.pixels(), type + " " + size[0]);
          assertEquals(byImageIo.inverted(), byPngj.inverted());
          checked++;
        }
      }
    }
    assertEquals(30, checked);
  }

  @Test
  void otherKindsAndOtherFilesAreLeftToImageIo() throws IOException {
    // a palette, 16-bit grey, grey with alpha (ImageIO writes it from a custom type), a JPEG
    BufferedImage palette = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_INDEXED);
    assertNull(PngFiles.decode(png(palette)), "palette");
    BufferedImage grey16 = new BufferedImage(20, 20, BufferedImage.TYPE_USHORT_GRAY);
    assertNull(PngFiles.decode(png(grey16)), "16-bit");
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB), "jpg", jpeg);
    assertNull(PngFiles.decode(jpeg.toByteArray()), "not a PNG");
    byte[] file = png(picture(BufferedImage.TYPE_INT_RGB, 40, 30, true, 1));
    assertNull(PngFiles.decode(java.util.Arrays.copyOf(file, file.length / 2)), "truncated");
    // and ImageIO still prepares them as before
    assertEquals(784, ImageInput.read(png(palette), "p").pixels().length);
    assertEquals(784, ImageInput.read(png(grey16), "g").pixels().length);
  }
}
