package dev.convnet.data;

import ar.com.hjg.pngj.ImageInfo;
import ar.com.hjg.pngj.PngReaderByte;
import ar.com.hjg.pngj.chunks.PngChunk;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.util.Set;

/**
 * PNG files of the common kinds (8-bit grey, RGB or RGBA, without a colour profile or a transparent
 * colour) decoded by PNGJ, a plain-Java PNG reader, into the image ImageIO would give: the same
 * samples, so {@link ImageInput#prepare} makes the same pixels of them (a test holds the two to
 * each other). ImageIO spends most of a small file's time finding its reader; every other file, and
 * every file PNGJ refuses, is left to ImageIO, which names the problem.
 */
final class PngFiles {
  private PngFiles() {}

  /** Chunks whose meaning ImageIO applies to the pixels: those files go to ImageIO. */
  private static final Set<String> IMAGEIO_CHUNKS = Set.of("iCCP", "tRNS");

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

  /**
   * {@code file} decoded, or null where ImageIO should read it: not a PNG, another kind, larger
   * than {@link ImageInput#DECODE_PIXELS} (ImageIO subsamples it), or anything PNGJ cannot read.
   */
  static BufferedImage decode(byte[] file) {
    if (file.length < SIGNATURE.length) {
      return null;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (file[i] != SIGNATURE[i]) {
        return null;
      }
    }
    PngReaderByte reader = null;
    try {
      reader = new PngReaderByte(new ByteArrayInputStream(file));
      ImageInfo info = reader.imgInfo;
      long pixels = (long) info.cols * info.rows;
      if (info.bitDepth != 8
          || info.indexed
          || (info.greyscale && info.alpha)
          || pixels > ImageInput.DECODE_PIXELS
          || pixels > ImageInput.MAX_PIXELS_PER_BYTE * file.length) {
        return null;
      }
      for (PngChunk chunk : reader.getChunksList().getChunks()) {
        if (IMAGEIO_CHUNKS.contains(chunk.id)) {
          return null; // read before the image data: the rows are not decoded for nothing
        }
      }
      BufferedImage image =
          new BufferedImage(
              info.cols,
              info.rows,
              info.greyscale
                  ? BufferedImage.TYPE_BYTE_GRAY
                  : info.alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
      WritableRaster raster = image.getRaster();
      int[] row = new int[info.cols];
      for (int y = 0; y < info.rows; y++) {
        byte[] samples = reader.readRowByte().getScanlineByte();
        if (info.greyscale) {
          raster.setDataElements(0, y, info.cols, 1, samples.clone());
          continue;
        }
        for (int x = 0, i = 0; x < info.cols; x++) {
          int r = samples[i++] & 0xFF;
          int g = samples[i++] & 0xFF;
          int b = samples[i++] & 0xFF;
          int a = info.alpha ? samples[i++] & 0xFF : 0xFF;
          row[x] = a << 24 | r << 16 | g << 8 | b;
        }
        image.setRGB(0, y, info.cols, 1, row, 0, info.cols);
      }
      for (PngChunk chunk : reader.getChunksList().getChunks()) {
        if (IMAGEIO_CHUNKS.contains(chunk.id)) {
          return null; // such a chunk after the data: rare, and ImageIO's to read
        }
      }
      return image;
    } catch (RuntimeException e) {
      return null; // truncated, corrupt or unusual: ImageIO reads it or says what is wrong
    } finally {
      if (reader != null) {
        reader.close();
      }
    }
  }
}
