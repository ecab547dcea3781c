package dev.convnet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.convnet.common.InvalidSettingException;
import dev.convnet.testing.SyntheticData;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's checks, each on small files written here. */
class FashionMnistTest {
  @TempDir Path dir;

  private void writeValidSet() throws Exception {
    SyntheticData.writeFashionMnist(
        dir, SyntheticData.patterns(30, 1), SyntheticData.patterns(10, 2));
  }

  @Test
  void loadsWellFormedFilesWithoutChecksums() throws Exception {
    writeValidSet();
    FashionMnist.Data data = FashionMnist.load(dir, FashionMnist.Verify.FORMAT_ONLY);
    assertEquals(30, data.train().size());
    assertEquals(10, data.test().size());
    assertEquals(28, data.train().imageSize());
    assertEquals(SyntheticData.patterns(30, 1).label(7), data.train().label(7));
  }

  @Test
  void missingFilesListThePlacesSearchedAndBothFixes() {
    Path other = dir.resolve("other");
    InvalidSettingException e =
        assertThrows(
            InvalidSettingException.class, () -> FashionMnist.locateOrFail(List.of(dir, other)));
    assertEquals("dataDir", e.field());
    assertTrue(
        e.getMessage().contains(dir.toString()) && e.getMessage().contains(other.toString()),
        e.getMessage());
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    assertTrue(e.getMessage().contains("scripts/fetch-data"), e.getMessage());
  }

  @Test
  void anExplicitDataDirIsTheOnlyPlaceSearched() {
    assertEquals(List.of(dir), FashionMnist.searchPath(dir));
    assertThrows(InvalidSettingException.class, () -> FashionMnist.load(dir));
  }

  @Test
  void aFolderWithThreeOfTheFourFilesIsNotChosen() throws Exception {
    writeValidSet();
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    assertTrue(FashionMnist.locate(List.of(dir)).isEmpty());
  }

  @Test
  void checksumMismatchNamesTheFileAndTheFix() throws Exception {
    writeValidSet();
    DataException e =
        assertThrows(
            DataException.class, () -> FashionMnist.load(dir, FashionMnist.Verify.CHECKSUMS));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz: SHA-256"), e.getMessage());
    assertTrue(e.getMessage().contains("fetch the data again"), e.getMessage());
  }

  @Test
  void imageAndLabelCountsMustAgree() throws Exception {
    writeValidSet();
    SyntheticData.write(
        dir.resolve("train-labels-idx1-ubyte.gz"),
        SyntheticData.idx(2049, new int[] {29}, new byte[29]));
    DataException e =
        assertThrows(
            DataException.class, () -> FashionMnist.load(dir, FashionMnist.Verify.FORMAT_ONLY));
    assertTrue(e.getMessage().contains("holds 30 images but"), e.getMessage());
    assertTrue(e.getMessage().contains("holds 29 labels"), e.getMessage());
  }

  @Test
  void labelsOutsideZeroToNineAreRejected() throws Exception {
    writeValidSet();
    byte[] labels = new byte[10];
    labels[4] = 12;
    SyntheticData.write(
        dir.resolve("t10k-labels-idx1-ubyte.gz"), SyntheticData.idx(2049, new int[] {10}, labels));
    DataException e =
        assertThrows(
            DataException.class, () -> FashionMnist.load(dir, FashionMnist.Verify.FORMAT_ONLY));
    assertTrue(e.getMessage().contains("label 12 of image 4 is outside 0-9"), e.getMessage());
  }

  @Test
  void aLabelFileInPlaceOfImagesHasTheWrongMagic() throws Exception {
    writeValidSet();
    Files.copy(
        dir.resolve("t10k-labels-idx1-ubyte.gz"),
        dir.resolve("t10k-images-idx3-ubyte.gz"),
        StandardCopyOption.REPLACE_EXISTING);
    DataException e =
        assertThrows(
            DataException.class, () -> FashionMnist.load(dir, FashionMnist.Verify.FORMAT_ONLY));
    assertTrue(
        e.getMessage().contains("t10k-images-idx3-ubyte.gz: wrong magic number 2049"),
        e.getMessage());
  }

  @Test
  void aFailedDownloadLeavesNoFileBehind() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    Path target = dir.resolve("fashion-mnist");
    DataException e =
        assertThrows(
            DataException.class, () -> FashionMnist.download("http://127.0.0.1:9/", target));
    assertTrue(
        e.getMessage()
            .startsWith("download of http://127.0.0.1:9/train-images-idx3-ubyte.gz failed"),
        e.getMessage());
    assertEquals(0, countFiles(target));
  }

  @Test
  void aDownloadWithTheWrongChecksumIsDeleted() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "not the dataset".getBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      Path target = dir.resolve("fashion-mnist");
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
      DataException e = assertThrows(DataException.class, () -> FashionMnist.download(url, target));
      assertTrue(
          e.getMessage().contains("differs from the official 8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
          e.getMessage());
      assertEquals(0, countFiles(target));
      assertFalse(Files.exists(target.resolve("train-images-idx3-ubyte.gz.part")));
    } finally {
      server.stop(0);
    }
  }

  private static long countFiles(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
