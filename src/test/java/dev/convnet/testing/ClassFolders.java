package dev.convnet.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Folders of class folders as a user has them, generated: each class a shape, in PNG, JPEG, GIF and
 * BMP, of several sizes, RGB and grey, on light and dark backgrounds.
 */
public final class ClassFolders {
  private static final List<String> FORMATS = List.of("png", "jpg", "gif", "bmp");

  private ClassFolders() {}

  /**
   * An image of {@code shape} on a light or dark background, {@code w} x {@code h} pixels, RGB or
   * grey: each class a shape, so that the prepared pixels differ by class.
   */
  public static BufferedImage picture(
      String shape, int w, int h, boolean grey, boolean light, int seed) {
    BufferedImage image =
        new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(light ? Color.WHITE : Color.BLACK);
    g.fillRect(0, 0, w, h);
    g.setColor(light ? new Color(20, 40, 160) : new Color(230, 200 - seed % 50, 90));
    int s = Math.min(w, h) / 2 + seed % 5;
    int x = (w - s) / 2;
    int y = (h - s) / 2;
    switch (shape) {
      case "circle" -> g.fillOval(x, y, s, s);
      case "bright square" -> g.fillRect(x, y, s, s);
      default -> g.fillPolygon(new int[] {x, x + s, x + s / 2}, new int[] {y + s, y + s, y}, 3);
    }
    g.dispose();
    return image;
  }

  /** Writes {@code perClass} images of each class, cycling through formats, sizes and colours. */
  public static void write(Path root, List<String> classes, int perClass) throws IOException {
    for (String name : classes) {
      Path folder = Files.createDirectories(root.resolve(name));
      for (int i = 0; i < perClass; i++) {
        String format = FORMATS.get(i % FORMATS.size());
        boolean grey = i % 3 == 0;
        BufferedImage image =
            picture(name, 28 + 7 * (i % 5), 28 + 11 * (i % 3), grey, i % 2 == 0, i);
        Path file = folder.resolve(String.format("img %02d.%s", i, format));
        assertTrue(ImageIO.write(image, format, file.toFile()), "a writer for " + format);
      }
    }
  }
}
