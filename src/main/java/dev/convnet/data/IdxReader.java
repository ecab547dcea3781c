package dev.convnet.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format that (Fashion-)MNIST ships in: a big-endian magic number whose last byte is
 * the number of dimensions, one int per dimension, then the unsigned bytes. Accepts the file
 * gzipped (name ending in {@code .gz}) or plain.
 */
public final class IdxReader {
  /** Magic number of a label file: unsigned bytes, one dimension. */
  public static final int LABELS_MAGIC = 2049;

  /** Magic number of an image file: unsigned bytes, three dimensions (count, rows, columns). */
  public static final int IMAGES_MAGIC = 2051;

  /**
   * The most decompressed bytes read from one file: the largest Fashion-MNIST file is 47 MB, and a
   * hostile .gz could expand without end.
   */
  public static final long MAX_BYTES = 128L << 20;

  private IdxReader() {}

  /** An IDX file's dimensions and its payload. */
  public record IdxFile(int[] dimensions, byte[] data) {
    public int count() {
      return dimensions[0];
    }
  }

  /** Reads the decompressed bytes of {@code file}, gunzipping when its name ends in ".gz". */
  public static byte[] readDecompressed(Path file) {
    if (Files.isDirectory(file)) {
      throw new DataException(file + ": is a folder, not a data file");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in =
            file.getFileName().toString().endsWith(".gz")
                ? new GZIPInputStream(raw, 1 << 16)
                : raw) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
      in.transferTo(new BoundedOutput(out, MAX_BYTES));
      return out.toByteArray();
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": file not found");
    } catch (EOFException e) {
      throw new DataException(
          file + ": truncated gzip file; delete it and fetch the data again (scripts/fetch-data)");
    } catch (ZipException e) {
      throw new DataException(
          file
              + ": corrupt gzip file ("
              + e.getMessage()
              + "); delete it and fetch the data again (scripts/fetch-data)");
    } catch (IOException e) {
      throw new DataException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Refuses to grow past a limit, so a gzip bomb ends as a one-line error. */
  private static final class BoundedOutput extends FilterOutputStream {
    private final long limit;
    private long written;

    BoundedOutput(ByteArrayOutputStream out, long limit) {
      super(out);
      this.limit = limit;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      written += len;
      if (written > limit) {
        throw new IOException(
            "more than " + (limit >> 20) + " MB decompressed; not a Fashion-MNIST file");
      }
      out.write(b, off, len);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }
  }

  /** Reads {@code file} and checks its magic number and that the byte count matches its header. */
  public static IdxFile read(Path file, int expectedMagic) {
    return parse(file, readDecompressed(file), expectedMagic);
  }

  /** Parses decompressed IDX bytes; {@code file} only names the source in error messages. */
  public static IdxFile parse(Path file, byte[] bytes, int expectedMagic) {
    int expectedDims = expectedMagic & 0xFF;
    if (bytes.length < 4) {
      throw new DataException(
          file
              + ": not an IDX file (only "
              + bytes.length
              + " bytes); fetch the data again (scripts/fetch-data)");
    }
    ByteBuffer header = ByteBuffer.wrap(bytes); // big-endian by default, as IDX is
    int magic = header.getInt();
    if (magic != expectedMagic) {
      throw new DataException(
          String.format(
              "%s: wrong magic number %d (expected %d for %s); is this the right file?",
              file, magic, expectedMagic, expectedMagic == IMAGES_MAGIC ? "images" : "labels"));
    }
    int headerBytes = 4 + 4 * expectedDims;
    if (bytes.length < headerBytes) {
      throw new DataException(
          file + ": truncated IDX header; fetch the data again (scripts/fetch-data)");
    }
    int[] dims = new int[expectedDims];
    long payload = 1;
    for (int d = 0; d < expectedDims; d++) {
      dims[d] = header.getInt();
      if (dims[d] < 0) {
        throw new DataException(file + ": negative dimension " + dims[d] + " in the IDX header");
      }
      payload *= dims[d];
      if (payload > bytes.length) {
        break; // already more than the file holds; and no overflow with huge dimensions
      }
    }
    if (payload > bytes.length || bytes.length - headerBytes != payload) {
      throw new DataException(
          String.format(
              "%s: %d data bytes where the header %s promises %d; the file is truncated or"
                  + " corrupt, fetch the data again (scripts/fetch-data)",
              file, bytes.length - headerBytes, Arrays.toString(dims), payload));
    }
    return new IdxFile(dims, Arrays.copyOfRange(bytes, headerBytes, bytes.length));
  }
}
