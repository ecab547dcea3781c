package dev.convnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.testing.ClassFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder of class folders as a user has one: mixed formats and sizes, RGB and grey, names with
 * spaces and non-ASCII letters, system files; split per class with a seed, the split written and
 * read back; and every kind of folder that cannot be trained on refused in one line.
 */
class ImageFolderTest {
  @TempDir Path dir;

  /** The three classes the generated folders hold, in the order they sort. */
  private static final List<String> CLASSES = List.of("bright square", "circle", "triángulo");

  @Test
  void classFoldersAreReadAsPredictReadsTheirFilesAndSplitPerClassBySeed() throws IOException {
    ClassFolders.write(dir, CLASSES, 14);
    Files.writeString(dir.resolve("circle").resolve(".DS_Store"), "x");
    Files.writeString(dir.resolve("triángulo").resolve("Thumbs.db"), "x");
    Files.writeString(dir.resolve("circle").resolve(".hidden.png"), "x");
    Files.writeString(dir.resolve("notes.txt"), "beside the class folders: not looked at");

    ImageFolder.Layout layout = ImageFolder.list(dir);
    assertEquals(CLASSES, layout.classNames(), "the folders' names, sorted");
    assertEquals(3, layout.skipped(), ".DS_Store, Thumbs.db and a hidden file");
    assertEquals(42, layout.train().files().size());

    OwnData.Loaded loaded = OwnData.load(dir, 7, 5_000, ImageFolder.Reading.QUIET);
    Split split = loaded.split();
    assertEquals(CLASSES, split.train().classNames());
    // A seventh of each class of 14 is 2 for testing; 5,000 / 60,000 of the other 12 is 1.
    assertArrayEquals(new int[] {2, 2, 2}, split.test().classCounts());
    assertArrayEquals(new int[] {1, 1, 1}, split.validation().classCounts());
    assertArrayEquals(new int[] {11, 11, 11}, split.train().classCounts());

    // Each image is exactly what predict prepares from its file.
    SplitFile file = loaded.splitFile();
    for (int i : new int[] {0, 5, 20, 32}) {
      String name = file.train().files().get(i);
      float[] expected = ImageInput.read(dir.resolve(name)).pixels();
      assertArrayEquals(expected, split.train().image(i), name);
      assertEquals(CLASSES.indexOf(name.substring(0, name.indexOf('/'))), split.train().label(i));
    }

    // The same seed splits the same way; another seed differently; the split file repeats it.
    assertEquals(
        file.test().files(),
        OwnData.load(dir, 7, 5_000, ImageFolder.Reading.QUIET).splitFile().test().files());
    assertNotEquals(
        file.test().files(),
        OwnData.load(dir, 8, 5_000, ImageFolder.Reading.QUIET).splitFile().test().files());
    Path run = Files.createDirectories(dir.resolve("run"));
    file.write(run);
    OwnData.Loaded again =
        OwnData.load(run.resolve(SplitFile.FILE_NAME), 99, 0, ImageFolder.Reading.QUIET);
    assertArrayEquals(split.train().pixels(), again.split().train().pixels());
    assertArrayEquals(split.validation().labels(), again.split().validation().labels());
    assertArrayEquals(split.test().pixels(), again.split().test().pixels());
  }

  @Test
  void aFolderIsReadOnEveryCoreAndReportsEachFile() throws IOException {
    ClassFolders.write(dir, List.of("a", "b"), 30);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger read = new AtomicInteger();
    Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    ImageFolder.Reading reading =
        new ImageFolder.Reading() {
          @Override
          public void start(int files) {
            started.set(files);
          }

          @Override
          public void read() {
            read.incrementAndGet();
            threads.add(Thread.currentThread().getName());
          }

          @Override
          public void done() {}
        };
    OwnData.load(dir, 1, 0, reading);
    assertEquals(60, started.get());
    assertEquals(60, read.get());
    if (Runtime.getRuntime().availableProcessors() > 1) {
      assertTrue(threads.size() > 1, "decoded on more than one thread: " + threads);
    }
  }

  @Test
  void aTestFolderIsKeptAsTheTestSet() throws IOException {
    ClassFolders.write(dir.resolve("train"), List.of("a", "b"), 6);
    ClassFolders.write(dir.resolve("test"), List.of("a", "b"), 2);
    Split split = OwnData.load(dir, 1, 0, ImageFolder.Reading.QUIET).split();
    assertArrayEquals(new int[] {2, 2}, split.test().classCounts());
    assertArrayEquals(new int[] {6, 6}, split.train().classCounts());
    assertEquals(0, split.validation().size());

    // test/ beside the class folders, without train/: the same.
    Path beside = dir.resolve("beside");
    ClassFolders.write(beside, List.of("a", "b"), 6);
    ClassFolders.write(beside.resolve("test"), List.of("b"), 3);
    split = OwnData.load(beside, 1, 0, ImageFolder.Reading.QUIET).split();
    assertEquals(List.of("a", "b"), split.train().classNames());
    assertArrayEquals(new int[] {0, 3}, split.test().classCounts());

    ClassFolders.write(beside.resolve("test"), List.of("c"), 1);
    assertRefused(beside, "test/c: a test class with no training folder; the classes are [a, b]");
  }

  @Test
  void idxFilesOfAnySetTakeTheirNamesFromClassesTxtOrAreNumbered() throws IOException {
    byte[] trainLabels = {0, 1, 2, 1, 0, 2, 1};
    byte[] testLabels = {2, 0, 1};
    writeIdx(dir, trainLabels, testLabels, 28);
    OwnData.Loaded numbered = OwnData.load(dir, 1, 2, ImageFolder.Reading.QUIET);
    assertEquals(List.of("0", "1", "2"), numbered.split().train().classNames());
    assertEquals(2, numbered.split().validation().size(), "In [6]: the first 2");
    assertEquals(0, numbered.split().validation().label(0));
    assertEquals(3, numbered.split().test().size());

    Files.writeString(dir.resolve("classes.txt"), "zero\none\ntwo\n");
    assertEquals(
        List.of("zero", "one", "two"),
        OwnData.load(dir, 1, 2, ImageFolder.Reading.QUIET).split().test().classNames());
    Files.writeString(dir.resolve("classes.txt"), "zero\none\n");
    assertRefused(dir, "label 2 of image 2 is outside 0-1");
    Files.writeString(dir.resolve("classes.txt"), "zero\none\nzero\n");
    assertRefused(dir, "the class name 'zero' appears twice");

    Path wide = dir.resolve("wide");
    writeIdx(wide, trainLabels, testLabels, 32);
    assertRefused(wide, "the IDX images are 32x32 pixels; the network takes 28x28");
  }

  private static void writeIdx(Path dir, byte[] trainLabels, byte[] testLabels, int side)
      throws IOException {
    Files.createDirectories(dir);
    writeIdxPair(dir, "train", trainLabels, side);
    writeIdxPair(dir, "t10k", testLabels, side);
  }

  private static void writeIdxPair(Path dir, String prefix, byte[] labels, int side)
      throws IOException {
    java.nio.ByteBuffer images = java.nio.ByteBuffer.allocate(16 + labels.length * side * side);
    images.putInt(IdxReader.IMAGES_MAGIC).putInt(labels.length).putInt(side).putInt(side);
    for (int i = 0; i < labels.length * side * side; i++) {
      images.put((byte) (i * 31 + labels[i / (side * side)] * 50));
    }
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
    java.nio.ByteBuffer label = java.nio.ByteBuffer.allocate(8 + labels.length);
    label.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length).put(labels);
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), label.array());
  }

  @Test
  void foldersThatCannotBeTrainedOnAreRefusedInOneLine() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertRefused(empty, "is an empty folder; put each class's images into a folder of its own");

    Path single = dir.resolve("single");
    ClassFolders.write(single, List.of("only"), 3);
    assertRefused(single, "holds one class folder (only); a classifier needs at least two");

    Path noImages = dir.resolve("no-images");
    ClassFolders.write(noImages, List.of("a"), 3);
    Files.createDirectories(noImages.resolve("b"));
    Files.writeString(noImages.resolve("b").resolve(".DS_Store"), "x");
    assertRefused(noImages, "b: the class folder holds no images (PNG, JPEG, GIF or BMP)");

    Path others = dir.resolve("others");
    ClassFolders.write(others, List.of("a", "b"), 3);
    for (String name : List.of("a/notes.txt", "a/paper.pdf", "b/x.docx", "b/y.tiff", "b/z")) {
      Files.writeString(others.resolve(name), "not an image");
    }
    assertRefused(
        others,
        "5 files are not PNG, JPEG, GIF or BMP images: a/notes.txt, a/paper.pdf, b/x.docx and 2"
            + " more; move them out of the class folders");

    Path caseOnly = dir.resolve("case");
    ClassFolders.write(caseOnly, List.of("Cat", "cat", "dog"), 2);
    assertRefused(caseOnly, "the class folders 'Cat' and 'cat' differ only in case");

    Path tooFew = dir.resolve("too-few");
    ClassFolders.write(tooFew, List.of("a", "b"), 3);
    ClassFolders.write(tooFew, List.of("c"), 1);
    assertRefused(tooFew, "c/img 00.png is its class's only image; each class needs two or more");

    Path loop = dir.resolve("loop");
    ClassFolders.write(loop, List.of("a", "b"), 2);
    Files.createSymbolicLink(loop.resolve("a").resolve("again"), loop.resolve("a"));
    assertRefused(loop, "a symbolic link loops back to a folder above it");
  }

  @Test
  void filesThatCannotBeDecodedAreNamedWithTheirCountAndNothingIsKept() throws IOException {
    ClassFolders.write(dir, List.of("a", "b"), 3);
    byte[] png = Files.readAllBytes(dir.resolve("a").resolve("img 00.png"));
    Files.write(dir.resolve("a").resolve("cut.png"), Arrays.copyOf(png, 40));
    Files.write(dir.resolve("b").resolve("bomb.png"), bombHeader());
    Files.writeString(dir.resolve("b").resolve("text.jpg"), "a text file named like a photo");
    String m = refusal(dir);
    assertTrue(m.startsWith(dir + ": 3 files cannot be read as images: "), m);
    assertTrue(m.contains("bomb.png: 100000x100000 pixels is more than the 200 megapixels"), m);
    assertTrue(m.endsWith("; repair or remove them"), m);
    assertEquals(1, m.lines().count());
  }

  /** A PNG header that promises 100,000 x 100,000 pixels, and no data. */
  private static byte[] bombHeader() {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(33);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    b.putInt(13).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putInt(100_000).putInt(100_000).put(new byte[] {8, 0, 0, 0, 0});
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(b.array(), 12, 17);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  @Test
  void writtenImagesReadBackAsTheSamePixelsInTheSameOrder() {
    ImageSet all = darkBorders(dev.convnet.testing.SyntheticData.patterns(120, 3));
    Split split = new Split(all.slice(20, 100), all.slice(0, 20), all.slice(100, 120));
    Path out = dir.resolve("written");
    ImageFolder.write(split, all.slice(0, 100), out, ImageFolder.Reading.QUIET);
    Split back = OwnData.load(out, 1, 0, ImageFolder.Reading.QUIET).split();
    assertEquals(all.classNames(), back.train().classNames(), "the names, '/' and all");
    assertArrayEquals(split.train().pixels(), back.train().pixels());
    assertArrayEquals(split.train().labels(), back.train().labels());
    assertArrayEquals(split.validation().pixels(), back.validation().pixels());
    assertArrayEquals(split.test().pixels(), back.test().pixels());
    assertArrayEquals(split.test().labels(), back.test().labels());
    assertThrows(
        DataException.class,
        () -> ImageFolder.write(split, all.slice(0, 100), out, ImageFolder.Reading.QUIET),
        "a folder that holds files is not written into");
    Set<String> folders =
        IntStream.range(0, all.numClasses())
            .mapToObj(c -> all.classNames().get(c).replace('/', '-'))
            .collect(Collectors.toSet());
    assertTrue(folders.contains("T-shirt-top"), folders.toString());
    assertTrue(Files.isDirectory(out.resolve("train").resolve("T-shirt-top")));
    assertFalse(Files.exists(out.resolve("train").resolve("T-shirt")));
  }

  /**
   * {@code set} with every border pixel black: a light border would be inverted when read, as
   * predict inverts a dark drawing on white (no Fashion-MNIST image has one).
   */
  private static ImageSet darkBorders(ImageSet set) {
    byte[] pixels = set.pixels().clone();
    int side = set.imageSize();
    for (int i = 0; i < set.size(); i++) {
      for (int k = 0; k < side; k++) {
        for (int at : new int[] {k, (side - 1) * side + k, k * side, k * side + side - 1}) {
          pixels[i * side * side + at] = 0;
        }
      }
    }
    return new ImageSet(pixels, set.labels(), side, set.classNames());
  }

  private static void assertRefused(Path folder, String expected) {
    String m = refusal(folder);
    assertTrue(m.contains(expected), m);
    assertEquals(1, m.lines().count(), m);
  }

  private static String refusal(Path folder) {
    return assertThrows(
            RuntimeException.class, // a DataException, or a refused setting
            () -> {
              OwnData.Source source = OwnData.open(folder, 1);
              source.trainingImages();
              source.load(0, ImageFolder.Reading.QUIET);
            })
        .getMessage();
  }
}
