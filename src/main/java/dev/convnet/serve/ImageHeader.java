package dev.convnet.serve;

/**
 * The size an image file's header declares, read from its first bytes without decoding and without
 * ImageIO's reader lookup (which costs more than decoding a 28x28 file): what {@code serve} checks
 * before handing files to the SavedModel's decoder. PNG, GIF, BMP and JPEG, the formats both
 * decoders read.
 *
 * @param format "png", "gif", "bmp" or "jpeg"
 * @param width pixels across, as declared
 * @param height pixels down, as declared
 */
record ImageHeader(String format, long width, long height) {

  /** Reads {@code file}'s header; a file that is none of the four formats or is cut short fails. */
  static ImageHeader of(byte[] file, String name) {
    ImageHeader header;
    if (startsWith(file, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      header = file.length >= 24 ? new ImageHeader("png", be32(file, 16), be32(file, 20)) : null;
    } else if (startsWith(file, 'G', 'I', 'F', '8')) {
      header = file.length >= 10 ? new ImageHeader("gif", le16(file, 6), le16(file, 8)) : null;
    } else if (startsWith(file, 'B', 'M')) {
      header =
          file.length >= 26
              ? new ImageHeader("bmp", Math.abs(le32(file, 18)), Math.abs(le32(file, 22)))
              : null;
    } else if (startsWith(file, 0xFF, 0xD8)) {
      header = jpeg(file);
    } else {
      throw new IllegalArgumentException(name + ": not a PNG, JPEG, GIF or BMP image");
    }
    if (header == null) {
      throw new IllegalArgumentException(
          name + ": cannot decode the image (the header is cut short)");
    }
    if (header.width <= 0 || header.height <= 0) {
      throw new IllegalArgumentException(name + ": the header gives an empty image");
    }
    return header;
  }

  long pixels() {
    return width * height;
  }

  /** The frame header (SOFn) of a JPEG, found by walking its marker segments; null if none. */
  private static ImageHeader jpeg(byte[] b) {
    int i = 2;
    while (i + 9 < b.length) {
      if ((b[i] & 0xFF) != 0xFF) {
        return null;
      }
      int marker = b[i + 1] & 0xFF;
      if (marker == 0xFF) {
        i++; // fill byte
        continue;
      }
      int length = be16(b, i + 2);
      boolean frame =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (frame) {
        return new ImageHeader("jpeg", be16(b, i + 7), be16(b, i + 5));
      }
      if (length < 2) {
        return null;
      }
      i += 2 + length;
    }
    return null;
  }

  private static boolean startsWith(byte[] b, int... magic) {
    if (b.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static int be16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
  }

  private static long be32(byte[] b, int at) {
    return (long) be16(b, at) << 16 | be16(b, at + 2);
  }

  private static int le16(byte[] b, int at) {
    return (b[at + 1] & 0xFF) << 8 | b[at] & 0xFF;
  }

  private static int le32(byte[] b, int at) {
    return le16(b, at + 2) << 16 | le16(b, at);
  }
}
