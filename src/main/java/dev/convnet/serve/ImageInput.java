package dev.convnet.serve;

import dev.convnet.model.ModelConfig;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Turns an image file of any size (PNG, JPEG, GIF, BMP) into the network's input: grey, 28x28,
 * pixels in [0, 1], a light object on a dark background as in Fashion-MNIST.
 */
public final class ImageInput {
  /** The prepared pixels, and whether they were inverted because the background was light. */
  public record Prepared(float[] pixels, boolean inverted) {}

  private ImageInput() {}

  /** Reads and prepares {@code file}; a file that is not a readable image gets a one-line error. */
  public static Prepared read(Path file) {
    BufferedImage image;
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(file + ": no such file");
      }
      image = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the image (" + e.getMessage() + ")");
    }
    if (image == null) {
      throw new IllegalArgumentException(file + ": not a PNG, JPEG, GIF or BMP image");
    }
    return prepare(image);
  }

  public static Prepared prepare(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double[] grey = new double[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = image.getRGB(x, y);
        double alpha = ((argb >>> 24) & 255) / 255.0;
        double lum =
            0.299 * ((argb >> 16) & 255) + 0.587 * ((argb >> 8) & 255) + 0.114 * (argb & 255);
        // Transparent pixels count as white paper, the usual look of a cut-out product photo.
        grey[y * w + x] = alpha * lum + (1 - alpha) * 255;
      }
    }
    double border = borderMean(grey, w, h);
    boolean inverted = border > 127.5;
    int background = (int) Math.round(inverted ? 255 - border : border);

    // Pad to a square with the background, keeping the aspect ratio, then scale down smoothly.
    int side = Math.max(w, h);
    BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = square.createGraphics();
    g.setColor(new Color(background, background, background));
    g.fillRect(0, 0, side, side);
    BufferedImage source = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = (int) Math.round(inverted ? 255 - grey[y * w + x] : grey[y * w + x]);
        source.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, v)));
      }
    }
    g.drawImage(source, (side - w) / 2, (side - h) / 2, null);
    g.dispose();
    BufferedImage small = scale(square, ModelConfig.IMG_SIZE);
    float[] pixels = new float[ModelConfig.IMG_SIZE_FLAT];
    for (int y = 0; y < ModelConfig.IMG_SIZE; y++) {
      for (int x = 0; x < ModelConfig.IMG_SIZE; x++) {
        pixels[y * ModelConfig.IMG_SIZE + x] = small.getRaster().getSample(x, y, 0) / 255f;
      }
    }
    return new Prepared(pixels, inverted);
  }

  /** Halves repeatedly, then one bilinear step: a smooth reduction without aliasing. */
  private static BufferedImage scale(BufferedImage image, int target) {
    BufferedImage current = image;
    int size = image.getWidth();
    while (size / 2 >= target) {
      size /= 2;
      current = resize(current, size);
    }
    return size == target ? current : resize(current, target);
  }

  private static BufferedImage resize(BufferedImage image, int size) {
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(image, 0, 0, size, size, null);
    g.dispose();
    return out;
  }

  private static double borderMean(double[] grey, int w, int h) {
    double sum = 0;
    int n = 0;
    for (int x = 0; x < w; x++) {
      sum += grey[x] + grey[(h - 1) * w + x];
      n += 2;
    }
    for (int y = 0; y < h; y++) {
      sum += grey[y * w] + grey[y * w + w - 1];
      n += 2;
    }
    return sum / n;
  }
}
