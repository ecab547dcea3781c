package dev.convnet.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns an image file of any size (PNG, JPEG, GIF, BMP) into the network's input: grey, 28x28,
 * pixels in [0, 1], a light object on a dark background as in Fashion-MNIST.
 *
 * <p>Files come from anywhere, so sizes are read from the header before anything is decoded: a
 * header that promises more than {@link #MAX_PIXELS} is refused, and a large photo is decoded
 * subsampled (every n-th pixel) to at most {@link #DECODE_PIXELS}, which is plenty for 28x28. Every
 * failure is an {@link IllegalArgumentException} whose message is one line naming the file.
 */
public final class ImageInput {
  /** The largest image accepted, from its header: 200 megapixels, beyond any camera's photo. */
  public static final long MAX_PIXELS = 200_000_000L;

  /** Large images are decoded subsampled to about this many pixels (4 megapixels, 16 MB). */
  public static final long DECODE_PIXELS = 4_000_000L;

  /**
   * The most pixels a header may promise for each byte of the file. Real images compress to far
   * less (deflate stops near 1,032:1, so a 1-bit PNG of one colour holds about 8,300 pixels a byte;
   * JPEG, GIF and BMP less); beyond it the data cannot be there, and decoders still walk every
   * promised pixel: a 65-byte GIF whose frame promised 16,384 x 8,200 took half a second.
   */
  public static final long MAX_PIXELS_PER_BYTE = 16_384;

  /** ...and to at most this many pixels on the longer side, which bounds the padded square. */
  public static final int DECODE_SIDE = 4_096;

  /** The side of a prepared image: Fashion-MNIST's, the network's input (In [4]). */
  public static final int SIDE = FashionMnist.IMAGE_SIDE;

  /** Pixels of a prepared image. */
  public static final int PIXELS = SIDE * SIDE;

  /** The prepared pixels, and whether they were inverted because the background was light. */
  public record Prepared(float[] pixels, boolean inverted) {}

  static {
    // Decoding from memory: ImageIO's default file cache wrote each stream to a temporary file.
    ImageIO.setUseCache(false);
  }

  private ImageInput() {}

  /** Reads and prepares {@code file}; a file that is not a usable image gets a one-line error. */
  public static Prepared read(Path file) {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(file + ": is a folder; give image files");
    }
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      // Reading a pipe, a socket or a device could block or never end.
      throw new IllegalArgumentException(
          file + ": not a regular file (" + kindOf(file) + "); give image files");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(file + ": permission denied");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      return read(in, file.toString(), Files.size(file));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the file (" + e.getMessage() + ")");
    }
  }

  /** What a path that exists but is neither a folder nor a regular file is, in words. */
  static String kindOf(Path file) {
    try {
      int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
      return switch (type) {
        case 0010000 -> "a named pipe";
        case 0140000 -> "a socket";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        default -> "a special file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "a special file";
    }
  }

  /**
   * Image files held in memory, each read and prepared as {@link #read(byte[], String)} does, as
   * one array of their 784 pixels in turn; file {@code i} is named "{@code what} i" in errors.
   */
  public static float[] pixels(List<byte[]> files, String what) {
    int size = PIXELS;
    float[] pixels = new float[files.size() * size];
    for (int i = 0; i < files.size(); i++) {
      System.arraycopy(read(files.get(i), what + " " + i).pixels(), 0, pixels, i * size, size);
    }
    return pixels;
  }

  /** Reads and prepares an image held in memory; {@code name} names it in errors. */
  public static Prepared read(byte[] bytes, String name) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      return read(in, name, bytes.length);
    } catch (IOException e) {
      throw new IllegalArgumentException(name + ": cannot read the image (" + e.getMessage() + ")");
    }
  }

  private static Prepared read(ImageInputStream in, String name, long fileBytes) {
    Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
    if (readers == null || !readers.hasNext()) {
      throw new IllegalArgumentException(name + ": not a PNG, JPEG, GIF or BMP image");
    }
    ImageReader reader = readers.next();
    try {
      long width;
      long height;
      try {
        reader.setInput(in, true, true);
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw undecodable(name, e); // a broken or truncated header
      }
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException(name + ": the header gives an empty image");
      }
      if (width * height > MAX_PIXELS) {
        throw tooLarge(name, width, height);
      }
      if (width * height > MAX_PIXELS_PER_BYTE * fileBytes) {
        throw new IllegalArgumentException(
            String.format(
                "%s: %dx%d pixels from %d bytes is more than an image compresses to; the file is"
                    + " damaged",
                name, width, height, fileBytes));
      }
      ImageReadParam param = reader.getDefaultReadParam();
      int step = subsampling(width, height);
      param.setSourceSubsampling(step, step, 0, 0);
      try {
        return prepare(decode(reader, param));
      } catch (IOException | RuntimeException e) {
        throw undecodable(name, e); // truncated data, or a decoder's own error on a hostile file
      } catch (OutOfMemoryError e) {
        throw new IllegalArgumentException(
            name + ": too large to decode in this process's memory; scale it down first");
      }
    } finally {
      reader.dispose();
    }
  }

  /** The refusal of an image whose header promises more than {@link #MAX_PIXELS}. */
  public static IllegalArgumentException tooLarge(String name, long width, long height) {
    return new IllegalArgumentException(
        String.format(
            "%s: %dx%d pixels is more than the %d megapixels this reads; scale it down first",
            name, width, height, MAX_PIXELS / 1_000_000));
  }

  private static IllegalArgumentException undecodable(String name, Exception e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new IllegalArgumentException(
        name + ": cannot decode the image (" + why.lines().findFirst().orElse("") + ")");
  }

  /** Every n-th pixel in each direction, so the decoded image stays within the decode bounds. */
  static int subsampling(long width, long height) {
    long byArea = (long) Math.ceil(Math.sqrt((double) width * height / DECODE_PIXELS));
    long bySide = (Math.max(width, height) + DECODE_SIDE - 1) / DECODE_SIDE;
    return (int) Math.max(1, Math.max(byArea, bySide));
  }

  /**
   * The first frame (an animated GIF's too). A CMYK JPEG, which Java's decoder will not turn into
   * RGB, is read as its raw channels and converted here.
   */
  private static BufferedImage decode(ImageReader reader, ImageReadParam param) throws IOException {
    try {
      return reader.read(0, param);
    } catch (IOException e) {
      if (!reader.canReadRaster()) {
        throw e;
      }
      Raster raster = reader.readRaster(0, param);
      if (raster.getNumBands() != 4) {
        throw e;
      }
      return fromCmyk(raster);
    }
  }

  /** Adobe's inverted CMYK (the common kind) to RGB. */
  private static BufferedImage fromCmyk(Raster raster) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] cmyk = new int[4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.getPixel(raster.getMinX() + x, raster.getMinY() + y, cmyk);
        int k = cmyk[3];
        int r = cmyk[0] * k / 255;
        int g = cmyk[1] * k / 255;
        int b = cmyk[2] * k / 255;
        rgb.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return rgb;
  }

  public static Prepared prepare(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    double[] grey = new double[w * h];
    // A grey file's samples are its grey levels: getRGB would pass them through Java's linear
    // grey colour space and change them (a stored 48 became 22).
    boolean plainGrey =
        image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
            && image.getRaster().getNumBands() == 1;
    double sampleScale =
        plainGrey ? 255.0 / ((1 << image.getColorModel().getComponentSize(0)) - 1) : 1;
    // A row at a time: getRGB of one pixel allocates for each pixel (a hostile GIF made a 77-byte
    // file allocate 133 MB that way), a row's reuses one buffer. The same colour conversion.
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      if (!plainGrey) {
        image.getRGB(0, y, w, 1, row, 0, w);
      }
      for (int x = 0; x < w; x++) {
        if (plainGrey) {
          grey[y * w + x] = image.getRaster().getSample(x, y, 0) * sampleScale;
          continue;
        }
        int argb = row[x];
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
    BufferedImage small = scale(square, SIDE);
    float[] pixels = new float[PIXELS];
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        pixels[y * SIDE + x] = small.getRaster().getSample(x, y, 0) / 255f;
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
