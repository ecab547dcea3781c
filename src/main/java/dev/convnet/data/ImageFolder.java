package dev.convnet.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder of class folders, as Keras's {@code image_dataset_from_directory} and DJL's {@code
 * ImageFolder} read one: each sub-folder is a class, named by the folder, and holds that class's
 * image files (PNG, JPEG, GIF or BMP, any size, in sub-folders too). A {@code test/} folder of
 * class folders beside them, or {@code train/} and {@code test/}, keeps its own test set.
 *
 * <p>Each file is prepared exactly as {@code predict} prepares it ({@link ImageInput}) and kept as
 * 784 bytes: memory grows with the images, not with the files. Hidden files and the files an
 * operating system leaves behind ({@code .DS_Store}, {@code Thumbs.db}) are skipped and counted;
 * anything else that is not an image is an error, so that nothing is silently left out.
 */
public final class ImageFolder {
  /** The file name endings read as images, in lower case. */
  public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp");

  /** Files an operating system writes into folders, skipped as hidden files are. */
  static final Set<String> SYSTEM_FILES = Set.of(".ds_store", "thumbs.db", "desktop.ini");

  public static final String TRAIN = "train";
  public static final String TEST = "test";

  /** How many offending files an error names before it gives only their count. */
  static final int NAMED_IN_ERRORS = 3;

  /**
   * The image files of one set, in a fixed order, and the class of each.
   *
   * @param files paths relative to the data folder, with '/' between names
   * @param labels each file's class, an index into the layout's class names
   */
  public record ImageFiles(List<String> files, byte[] labels) {}

  /**
   * What a folder holds, before any image is read.
   *
   * @param root the data folder
   * @param classNames the class folders' names, sorted: a label is the index
   * @param train the images to train on (and hold validation, and test without {@code test})
   * @param test the images of a {@code test/} folder, if there is one
   * @param skipped hidden and system files left out
   */
  public record Layout(
      Path root,
      List<String> classNames,
      ImageFiles train,
      Optional<ImageFiles> test,
      int skipped) {}

  /** Told how the reading goes: for a progress display. Called from the decoding threads. */
  public interface Reading {
    void start(int files);

    void read();

    void done();

    Reading QUIET =
        new Reading() {
          @Override
          public void start(int files) {}

          @Override
          public void read() {}

          @Override
          public void done() {}
        };
  }

  private ImageFolder() {}

  /** Whether {@code dir} is laid out as class folders (rather than IDX files or a split file). */
  public static boolean looksLikeOne(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(p -> Files.isDirectory(p) && !hidden(p));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code dir} holds nothing but hidden and system files. */
  static boolean isEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.allMatch(ImageFolder::hidden);
    } catch (IOException e) {
      return false;
    }
  }

  /** Lists {@code root}'s classes and images, refusing a folder that cannot be trained on. */
  public static Layout list(Path root) {
    if (!Files.isDirectory(root)) {
      throw new DataException(root + ": no such folder");
    }
    Map<String, Path> top = classFolders(root);
    Path trainRoot = root;
    Optional<Path> testRoot = Optional.empty();
    if (top.containsKey(TEST)) {
      testRoot = Optional.of(top.get(TEST));
      trainRoot = top.containsKey(TRAIN) ? top.get(TRAIN) : root;
    } else if (top.containsKey(TRAIN)) {
      trainRoot = top.get(TRAIN);
    }
    Map<String, Path> trainClasses = classFolders(trainRoot);
    if (trainRoot.equals(root)) {
      trainClasses.remove(TEST);
    }
    if (trainClasses.isEmpty()) {
      throw new DataException(
          trainRoot
              + " holds no class folders; put each class's images into a folder of its own, such"
              + " as "
              + trainRoot.resolve("cat")
              + " and "
              + trainRoot.resolve("dog"));
    }
    if (trainClasses.size() == 1) {
      throw new DataException(
          trainRoot
              + " holds one class folder ("
              + trainClasses.keySet().iterator().next()
              + "); a classifier needs at least two classes");
    }
    if (trainClasses.size() > ImageSet.MAX_CLASSES) {
      throw new DataException(
          trainRoot
              + " holds "
              + trainClasses.size()
              + " class folders; at most "
              + ImageSet.MAX_CLASSES
              + " are taken");
    }
    requireDistinctIgnoringCase(trainRoot, trainClasses.keySet());
    List<String> classNames = List.copyOf(trainClasses.keySet());
    Skipped skipped = new Skipped();
    ImageFiles train = files(root, trainClasses, classNames, skipped);
    Optional<ImageFiles> test = Optional.empty();
    if (testRoot.isPresent()) {
      Map<String, Path> testClasses = classFolders(testRoot.get());
      for (String name : testClasses.keySet()) {
        if (!trainClasses.containsKey(name)) {
          throw new DataException(
              testRoot.get().resolve(name)
                  + ": a test class with no training folder; the classes are "
                  + classNames);
        }
      }
      test = Optional.of(files(root, testClasses, classNames, skipped));
    }
    skipped.refuseOthers(root);
    return new Layout(root, classNames, train, test, skipped.hidden);
  }

  /** The non-hidden sub-folders of {@code dir}, by name, sorted. */
  private static Map<String, Path> classFolders(Path dir) {
    Map<String, Path> folders = new TreeMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries
          .filter(p -> Files.isDirectory(p) && !hidden(p))
          .forEach(p -> folders.put(p.getFileName().toString(), p));
    } catch (IOException e) {
      throw new DataException(dir + ": cannot list the folder (" + e.getMessage() + ")");
    }
    return folders;
  }

  private static void requireDistinctIgnoringCase(Path dir, Set<String> names) {
    Map<String, String> seen = new HashMap<>();
    for (String name : names) {
      String earlier = seen.put(name.toLowerCase(Locale.ROOT), name);
      if (earlier != null) {
        throw new DataException(
            String.format(
                "%s: the class folders '%s' and '%s' differ only in case; merge or rename one",
                dir, earlier, name));
      }
    }
  }

  /** Files left out or refused while listing. */
  private static final class Skipped {
    int hidden;
    final List<String> notImages = new ArrayList<>();

    void refuseOthers(Path root) {
      if (!notImages.isEmpty()) {
        Collections.sort(notImages);
        throw new DataException(
            root
                + ": "
                + count(notImages.size(), "file is", "files are")
                + " not PNG, JPEG, GIF or BMP images: "
                + named(notImages)
                + "; move them out of the class folders");
      }
    }
  }

  /** Every image under each class folder, in order of class, then of path. */
  private static ImageFiles files(
      Path root, Map<String, Path> classes, List<String> classNames, Skipped skipped) {
    List<String> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (Map.Entry<String, Path> entry : classes.entrySet()) {
      Path folder = entry.getValue();
      List<String> images = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
        for (Path file : (Iterable<Path>) walk::iterator) {
          if (Files.isDirectory(file)) {
            continue;
          }
          if (hidden(file) || hiddenBelow(folder, file)) {
            skipped.hidden++;
          } else if (isImageName(file)) {
            images.add(relative(root, file));
          } else {
            skipped.notImages.add(relative(root, file));
          }
        }
      } catch (UncheckedIOException e) {
        if (e.getCause() instanceof FileSystemLoopException loop) {
          throw new DataException(
              loop.getFile() + ": a symbolic link loops back to a folder above it; remove it");
        }
        throw new DataException(folder + ": cannot list (" + e.getCause().getMessage() + ")");
      } catch (IOException e) {
        throw new DataException(folder + ": cannot list (" + e.getMessage() + ")");
      }
      if (images.isEmpty()) {
        throw new DataException(
            folder + ": the class folder holds no images (PNG, JPEG, GIF or BMP)");
      }
      Collections.sort(images);
      int label = classNames.indexOf(entry.getKey());
      files.addAll(images);
      images.forEach(f -> labels.add(label));
    }
    byte[] labelBytes = new byte[labels.size()];
    for (int i = 0; i < labelBytes.length; i++) {
      labelBytes[i] = (byte) (int) labels.get(i);
    }
    return new ImageFiles(files, labelBytes);
  }

  static boolean hidden(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") || SYSTEM_FILES.contains(name.toLowerCase(Locale.ROOT));
  }

  /** A file inside a hidden folder below the class folder ({@code .thumbnails/}). */
  private static boolean hiddenBelow(Path classFolder, Path file) {
    for (Path name : classFolder.relativize(file.getParent())) {
      if (name.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  static boolean isImageName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  /**
   * Reads and prepares {@code files} (relative to {@code root}) on every core, into one set of the
   * classes {@code classNames}. Files that cannot be read as images are named, a few with their
   * reason, and their count, in one error.
   */
  public static ImageSet read(
      Path root, ImageFiles files, List<String> classNames, Reading reading) {
    int n = files.files().size();
    byte[] pixels = new byte[n * ImageInput.PIXELS];
    Map<Integer, String> failures = new ConcurrentSkipListMap<>();
    reading.start(n);
    try {
      IntStream.range(0, n)
          .parallel()
          .forEach(
              i -> {
                String name = files.files().get(i);
                try {
                  float[] prepared = ImageInput.read(root.resolve(name)).pixels();
                  for (int p = 0; p < prepared.length; p++) {
                    // Prepared pixels are bytes over 255: rounding gives the byte back exactly.
                    pixels[i * ImageInput.PIXELS + p] = (byte) Math.round(prepared[p] * 255);
                  }
                } catch (IllegalArgumentException e) {
                  failures.put(i, e.getMessage());
                }
                reading.read();
              });
    } finally {
      reading.done();
    }
    if (!failures.isEmpty()) {
      throw new DataException(
          root
              + ": "
              + count(failures.size(), "file", "files")
              + " cannot be read as images: "
              + named(List.copyOf(failures.values()))
              + "; repair or remove them");
    }
    return new ImageSet(pixels, files.labels(), ImageInput.SIDE, classNames);
  }

  /**
   * Writes {@code split}'s images as grey PNG files into {@code out}, which must be new or empty:
   * {@code train/<class>/<n>.png} for training and validation images, {@code test/<class>/<n>.png}
   * for test images, numbered by their place in the set, and a {@code split.json} that keeps the
   * sets, their order and the class names, so that training on the folder trains on the same images
   * in the same order. A class name's '/' becomes '-' in its folder's name.
   */
  public static void write(Split split, ImageSet original, Path out, Reading writing) {
    try {
      if (Files.exists(out)) {
        try (Stream<Path> entries = Files.list(out)) {
          if (entries.findAny().isPresent()) {
            throw new DataException(out + " already holds files; write into a new folder");
          }
        }
      }
      List<String> classes = original.classNames();
      List<String> folders = classes.stream().map(c -> c.replace('/', '-')).toList();
      int validation = split.validation().size();
      ImageFiles validationFiles = names(TRAIN, folders, split.validation(), 0);
      ImageFiles trainFiles = names(TRAIN, folders, split.train(), validation);
      ImageFiles testFiles = names(TEST, folders, split.test(), 0);
      writing.start(original.size() + split.test().size());
      try {
        writePngs(out, split.validation(), validationFiles, writing);
        writePngs(out, split.train(), trainFiles, writing);
        writePngs(out, split.test(), testFiles, writing);
      } finally {
        writing.done();
      }
      SplitFile.folder(
              ".",
              classes,
              SplitFile.Part.of(trainFiles),
              SplitFile.Part.of(validationFiles),
              SplitFile.Part.of(testFiles))
          .write(out);
    } catch (IOException e) {
      throw new DataException("cannot write images into " + out + ": " + e.getMessage(), e);
    }
  }

  /** The file names of {@code set}'s images, numbered from {@code first}. */
  private static ImageFiles names(String part, List<String> folders, ImageSet set, int first) {
    List<String> files = new ArrayList<>();
    byte[] labels = new byte[set.size()];
    for (int i = 0; i < set.size(); i++) {
      labels[i] = (byte) set.label(i);
      files.add(String.format("%s/%s/%05d.png", part, folders.get(set.label(i)), first + i));
    }
    return new ImageFiles(files, labels);
  }

  private static void writePngs(Path out, ImageSet set, ImageFiles files, Reading writing)
      throws IOException {
    for (String file : files.files()) {
      Files.createDirectories(out.resolve(file).getParent());
    }
    IntStream.range(0, set.size())
        .parallel()
        .forEach(
            i -> {
              BufferedImage image =
                  new BufferedImage(set.imageSize(), set.imageSize(), BufferedImage.TYPE_BYTE_GRAY);
              byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
              System.arraycopy(set.pixels(), i * set.pixelsPerImage(), target, 0, target.length);
              try {
                ImageIO.write(image, "png", out.resolve(files.files().get(i)).toFile());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              writing.read();
            });
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static String named(List<String> items) {
    String shown = String.join(", ", items.subList(0, Math.min(NAMED_IN_ERRORS, items.size())));
    return items.size() > NAMED_IN_ERRORS
        ? shown + " and " + (items.size() - NAMED_IN_ERRORS) + " more"
        : shown;
  }
}
