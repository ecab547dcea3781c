package dev.convnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.testing.SyntheticData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  private static final byte[] PIXELS = {0, 1, 2, (byte) 255, 10, 20, 30, 40};

  @Test
  void readsPlainAndGzippedFilesAlike() throws Exception {
    byte[] bytes = SyntheticData.idx(2051, new int[] {2, 2, 2}, PIXELS);
    Path plain = dir.resolve("images");
    Path gz = dir.resolve("images.gz");
    SyntheticData.write(plain, bytes);
    SyntheticData.write(gz, bytes);
    for (Path file : new Path[] {plain, gz}) {
      IdxReader.IdxFile idx = IdxReader.read(file, IdxReader.IMAGES_MAGIC);
      assertArrayEquals(new int[] {2, 2, 2}, idx.dimensions());
      assertArrayEquals(PIXELS, idx.data());
      assertEquals(2, idx.count());
    }
  }

  @Test
  void rejectsWrongMagicNamingTheFile() throws Exception {
    Path file = dir.resolve("labels");
    SyntheticData.write(file, SyntheticData.idx(2051, new int[] {2, 2, 2}, PIXELS));
    DataException e =
        assertThrows(DataException.class, () -> IdxReader.read(file, IdxReader.LABELS_MAGIC));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("wrong magic number 2051"), e.getMessage());
  }

  @Test
  void rejectsAPayloadShorterThanTheHeaderPromises() throws Exception {
    Path file = dir.resolve("images");
    SyntheticData.write(file, SyntheticData.idx(2051, new int[] {3, 2, 2}, PIXELS));
    DataException e =
        assertThrows(DataException.class, () -> IdxReader.read(file, IdxReader.IMAGES_MAGIC));
    assertTrue(
        e.getMessage().contains("8 data bytes where the header [3, 2, 2] promises 12"),
        e.getMessage());
  }

  @Test
  void rejectsATruncatedGzip() throws Exception {
    Path whole = dir.resolve("whole.gz");
    SyntheticData.write(whole, SyntheticData.idx(2051, new int[] {2, 2, 2}, PIXELS));
    byte[] gz = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.gz");
    Files.write(cut, Arrays.copyOf(gz, gz.length - 10));
    DataException e =
        assertThrows(DataException.class, () -> IdxReader.read(cut, IdxReader.IMAGES_MAGIC));
    assertTrue(e.getMessage().startsWith(cut + ": truncated gzip"), e.getMessage());
  }

  @Test
  void rejectsACorruptGzip() throws Exception {
    Path file = dir.resolve("bad.gz");
    Files.write(
        file, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    DataException e =
        assertThrows(DataException.class, () -> IdxReader.read(file, IdxReader.IMAGES_MAGIC));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("gzip"), e.getMessage());
  }

  @Test
  void rejectsAFileTooShortForAHeader() throws Exception {
    Path file = dir.resolve("tiny");
    Files.write(file, new byte[] {0, 0});
    assertThrows(DataException.class, () -> IdxReader.read(file, IdxReader.IMAGES_MAGIC));
  }

  @Test
  void reportsAMissingFile() {
    Path file = dir.resolve("nothing-here");
    DataException e =
        assertThrows(DataException.class, () -> IdxReader.read(file, IdxReader.IMAGES_MAGIC));
    assertEquals(file + ": file not found", e.getMessage());
  }
}
