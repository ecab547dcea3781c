package dev.convnet.data;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.common.Messages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A data set of one's own in place of Fashion-MNIST, from one path: a folder of class folders
 * ({@link ImageFolder}), a folder with the four IDX files of any set of 28x28 grey images (MNIST
 * digits, KMNIST, ...), or a {@code split.json} ({@link SplitFile}) that fixes the sets of an
 * earlier run. A data folder that holds a {@code split.json} is read by it.
 *
 * <p>Class folders without a {@code test/} folder are split per class, seeded: a seventh of each
 * class for testing (Fashion-MNIST's 10,000 of 70,000), then of the rest the share In [6] holds out
 * of Fashion-MNIST's 60,000 training images for validation ({@code validationSize / 60,000}). An
 * IDX set is split as Fashion-MNIST is: its own test files, and the first {@code validationSize}
 * training images for validation.
 */
public final class OwnData {
  /** A seventh of each class is held out for testing, as Fashion-MNIST holds 10,000 of 70,000. */
  public static final double TEST_SHARE = 1.0 / 7;

  /** The optional file of class names beside IDX files, one a line, in label order. */
  public static final String CLASSES_FILE = "classes.txt";

  /**
   * The data, split, with the split that reproduces it.
   *
   * @param split train, validation and test
   * @param original the training images before validation was held out (In [5])
   * @param splitFile what the run directory keeps
   * @param skipped hidden and system files left out
   */
  public record Loaded(Split split, ImageSet original, SplitFile splitFile, int skipped) {}

  private OwnData() {}

  /** Whether {@code dir} holds the four IDX files, with Fashion-MNIST's names (MNIST's too). */
  public static boolean isIdx(Path dir) {
    return FashionMnist.locate(List.of(dir)).isPresent();
  }

  /** The split file {@code path} names: itself, or the one a data folder holds; else null. */
  static Path splitFileOf(Path path) {
    if (Files.isRegularFile(path)) {
      return path;
    }
    Path inside = path.resolve(SplitFile.FILE_NAME);
    return Files.isRegularFile(inside) ? inside : null;
  }

  /**
   * Refuses a path that is none of the three kinds, in one line that names the setting (the command
   * line's {@code --data}), before any reading.
   */
  public static void check(Path path) {
    if (!Files.exists(path)) {
      throw new InvalidSettingException("data", "{data} " + path + ": no such folder or file");
    }
    Path splitFile = splitFileOf(path);
    if (Files.isRegularFile(path) && !path.getFileName().toString().endsWith(".json")) {
      throw new InvalidSettingException(
          "data",
          "{data} "
              + path
              + " is a file; give a folder of class folders, a folder of IDX files, or a run's "
              + SplitFile.FILE_NAME);
    }
    if (splitFile == null && ImageFolder.isEmpty(path)) {
      throw new InvalidSettingException(
          "data",
          "{data} "
              + path
              + " is an empty folder; put each class's images into a folder of its own, such as "
              + path.resolve("cat")
              + " and "
              + path.resolve("dog"));
    }
    if (splitFile == null && !isIdx(path) && !ImageFolder.looksLikeOne(path)) {
      throw new InvalidSettingException(
          "data",
          "{data} "
              + path
              + " holds neither class folders nor the four IDX files (train-images-idx3-ubyte,"
              + " train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)");
    }
  }

  /**
   * What {@code path} holds, found once: a folder listed, a split file read, or an IDX set loaded
   * (its four files are small). The counts and loads after read nothing again but the image files.
   */
  public static Source open(Path path, long seed) {
    check(path);
    Path splitFile = splitFileOf(path);
    if (splitFile == null) {
      return isIdx(path) ? new Idx(idx(path)) : new Folders(path, ImageFolder.list(path), seed);
    }
    SplitFile split = SplitFile.read(splitFile);
    Path data = dataFolder(splitFile, split);
    if (split.format().equals(SplitFile.IDX)) {
      IdxSet set = idx(data);
      if (!set.split().classes().equals(split.classes())) {
        throw new DataException(
            splitFile
                + ": the classes "
                + Messages.echoed(String.valueOf(split.classes()))
                + " are not those of "
                + data);
      }
      return new Idx(set);
    }
    return new Fixed(data, split.withData(data.toAbsolutePath().normalize().toString()));
  }

  /** Opens {@code path} and loads and splits its images. */
  public static Loaded load(Path path, long seed, int validationSize, ImageFolder.Reading reading) {
    return open(path, seed).load(validationSize, reading);
  }

  /** A data set of one's own, opened: class folders listed, a split file read, or IDX files. */
  public sealed interface Source {
    /** The images trained on before validation is held out: for checks before loading. */
    int trainingImages();

    /** The images held out for validation when {@code validationSize} is asked for. */
    int validationImages(int validationSize);

    /** Loads and splits the images. */
    Loaded load(int validationSize, ImageFolder.Reading reading);

    /**
     * The test images alone, as {@link #load} splits them: for {@code evaluate} and {@code serve}'s
     * page, which need no training images read.
     */
    ImageSet loadTest(int validationSize, ImageFolder.Reading reading);
  }

  /** Image files in sets: a folder listed and split with a seed, or a split file's sets. */
  private sealed interface FileSets extends Source {
    Path root();

    /** The sets of files, for {@code validationSize}. */
    SplitFile split(int validationSize);

    /** Hidden and system files left out of the listing. */
    int skipped();

    @Override
    default int trainingImages() {
      SplitFile split = split(0);
      return split.train().files().size() + split.validation().files().size();
    }

    @Override
    default int validationImages(int validationSize) {
      return split(validationSize).validation().files().size();
    }

    @Override
    default Loaded load(int validationSize, ImageFolder.Reading reading) {
      return read(root(), split(validationSize), reading, skipped());
    }

    @Override
    default ImageSet loadTest(int validationSize, ImageFolder.Reading reading) {
      SplitFile split = split(validationSize);
      return ImageFolder.read(root(), split.test().imageFiles(), split.classes(), reading);
    }
  }

  /** Class folders, split per class with {@code seed}. */
  private record Folders(Path root, ImageFolder.Layout layout, long seed) implements FileSets {
    @Override
    public SplitFile split(int validationSize) {
      FolderSets sets = folderSets(layout, seed, validationSize);
      return SplitFile.folder(
          root.toAbsolutePath().normalize().toString(),
          layout.classNames(),
          SplitFile.Part.of(sets.train()),
          SplitFile.Part.of(sets.validation()),
          SplitFile.Part.of(sets.test()));
    }

    @Override
    public int skipped() {
      return layout.skipped();
    }
  }

  /** The sets a split file names, whatever validation size is asked. */
  private record Fixed(Path root, SplitFile sets) implements FileSets {
    @Override
    public SplitFile split(int validationSize) {
      return sets;
    }

    @Override
    public int skipped() {
      return 0;
    }
  }

  /** An IDX set: its training images split as In [6] splits Fashion-MNIST's. */
  private record Idx(IdxSet idx) implements Source {
    @Override
    public int trainingImages() {
      return idx.data().train().size();
    }

    @Override
    public int validationImages(int validationSize) {
      return validationSize;
    }

    @Override
    public Loaded load(int validationSize, ImageFolder.Reading reading) {
      return new Loaded(Split.of(idx.data(), validationSize), idx.data().train(), idx.split(), 0);
    }

    @Override
    public ImageSet loadTest(int validationSize, ImageFolder.Reading reading) {
      return idx.data().test();
    }
  }

  /** A folder's files, split. */
  private record FolderSets(
      ImageFolder.ImageFiles train,
      ImageFolder.ImageFiles validation,
      ImageFolder.ImageFiles test) {}

  /**
   * The test set ({@code test/}, or a seeded seventh of each class), then the validation share of
   * the rest ({@code validationSize / 60,000} of each class), then the training set.
   */
  private static FolderSets folderSets(ImageFolder.Layout layout, long seed, int validationSize) {
    ImageFolder.ImageFiles rest = layout.train();
    ImageFolder.ImageFiles test;
    if (layout.test().isPresent()) {
      test = layout.test().get();
    } else {
      List<Integer> held = heldOut(rest, seed, TEST_SHARE, true);
      test = pick(rest, held);
      rest = without(rest, held);
    }
    double validationShare = (double) validationSize / FashionMnist.TRAIN_SIZE;
    List<Integer> validation = heldOut(rest, seed + 1, validationShare, false);
    return new FolderSets(without(rest, validation), pick(rest, validation), test);
  }

  /** The data folder of a split file: relative to the file's own folder when relative. */
  private static Path dataFolder(Path splitFile, SplitFile split) {
    Path data = Path.of(split.data());
    Path folder = splitFile.toAbsolutePath().getParent();
    return data.isAbsolute() ? data : folder.resolve(data).normalize();
  }

  /** Reads the three parts of {@code split} in one pass over every core. */
  private static Loaded read(Path root, SplitFile split, ImageFolder.Reading reading, int skipped) {
    List<String> files = new ArrayList<>(split.train().files());
    files.addAll(split.validation().files());
    files.addAll(split.test().files());
    List<Integer> labels = new ArrayList<>(split.train().labels());
    labels.addAll(split.validation().labels());
    labels.addAll(split.test().labels());
    ImageSet all =
        ImageFolder.read(
            root, new SplitFile.Part(files, labels).imageFiles(), split.classes(), reading);
    int trained = split.train().files().size();
    int validated = split.validation().files().size();
    ImageSet train = all.slice(0, trained);
    ImageSet validation = all.slice(trained, trained + validated);
    ImageSet test = all.slice(trained + validated, all.size());
    if (train.size() == 0 || test.size() == 0) {
      throw new DataException(root + ": the split leaves no training or no test images");
    }
    ImageSet original = all.slice(0, trained + validated);
    return new Loaded(new Split(train, validation, test), original, split, skipped);
  }

  /** An IDX set's images, and the split file a run keeps of it (its parts In [6]'s, so empty). */
  private record IdxSet(FashionMnist.Data data, SplitFile split) {}

  /**
   * An IDX set in {@code dir}: format and sizes checked (no checksums: they are Fashion-MNIST's),
   * class names from {@code classes.txt} or numbered.
   */
  private static IdxSet idx(Path dir) {
    List<String> names = classNames(dir);
    FashionMnist.Data data = FashionMnist.load(dir, FashionMnist.Verify.FORMAT_ONLY, names);
    if (data.train().imageSize() != ImageInput.SIDE) {
      throw new DataException(
          dir
              + ": the IDX images are "
              + data.train().imageSize()
              + "x"
              + data.train().imageSize()
              + " pixels; the network takes "
              + ImageInput.SIDE
              + "x"
              + ImageInput.SIDE);
    }
    if (names.size() < 2) {
      throw new DataException(dir + ": the labels name one class; a classifier needs two");
    }
    return new IdxSet(data, SplitFile.idx(dir.toAbsolutePath().normalize().toString(), names));
  }

  /** {@code classes.txt}'s names, or "0", "1", ... up to the largest label of both files. */
  private static List<String> classNames(Path dir) {
    Path file = dir.resolve(CLASSES_FILE);
    if (Files.isRegularFile(file)) {
      List<String> names;
      try {
        names =
            Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
      } catch (IOException e) {
        throw new DataException(file + ": cannot read (" + e.getMessage() + ")");
      }
      Set<String> seen = new HashSet<>();
      for (String name : names) {
        if (!seen.add(name)) {
          throw new DataException(file + ": the class name '" + name + "' appears twice");
        }
      }
      if (names.isEmpty() || names.size() > ImageSet.MAX_CLASSES) {
        throw new DataException(
            file + ": " + names.size() + " class names; give 2 to " + ImageSet.MAX_CLASSES);
      }
      return names;
    }
    int largest = 0;
    for (FashionMnist.DataFile labels :
        new FashionMnist.DataFile[] {
          FashionMnist.DataFile.TRAIN_LABELS, FashionMnist.DataFile.TEST_LABELS
        }) {
      Path path = labels.findIn(dir).orElseThrow();
      for (byte label :
          IdxReader.parse(path, IdxReader.readDecompressed(path), labels.magic).data()) {
        largest = Math.max(largest, label & 0xFF);
      }
    }
    return IntStream.rangeClosed(0, largest).mapToObj(Integer::toString).toList();
  }

  /**
   * Indices of {@code files} held out: {@code share} of each class, chosen by a shuffle seeded with
   * {@code seed}, always leaving one image of each class to train on. For {@code testing}, at least
   * one of each class, and a class of one image is refused.
   */
  static List<Integer> heldOut(
      ImageFolder.ImageFiles files, long seed, double share, boolean testing) {
    Random random = new Random(seed);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int i = 0; i < files.labels().length; i++) {
      int label = files.labels()[i] & 0xFF;
      while (byClass.size() <= label) {
        byClass.add(new ArrayList<>());
      }
      byClass.get(label).add(i);
    }
    List<Integer> held = new ArrayList<>();
    for (List<Integer> members : byClass) {
      int n = members.size();
      if (n == 0) {
        continue;
      }
      int take = (int) Math.round(n * share);
      if (testing) {
        if (n < 2) {
          throw new DataException(
              files.files().get(members.get(0))
                  + " is its class's only image; each class needs two or more (one to train on,"
                  + " one to test), or give a "
                  + ImageFolder.TEST
                  + "/ folder");
        }
        take = Math.max(1, take);
      }
      if (share > 0) {
        take = Math.max(1, take); // a small class is still tested, or validated, on one image
      }
      take = Math.min(take, n - 1); // one image of each class stays for training
      java.util.Collections.shuffle(members, random);
      held.addAll(members.subList(0, take));
    }
    held.sort(null);
    return held;
  }

  private static ImageFolder.ImageFiles pick(ImageFolder.ImageFiles files, List<Integer> indices) {
    List<String> names = new ArrayList<>();
    byte[] labels = new byte[indices.size()];
    for (int k = 0; k < indices.size(); k++) {
      names.add(files.files().get(indices.get(k)));
      labels[k] = files.labels()[indices.get(k)];
    }
    return new ImageFolder.ImageFiles(names, labels);
  }

  private static ImageFolder.ImageFiles without(
      ImageFolder.ImageFiles files, List<Integer> indices) {
    Set<Integer> drop = new HashSet<>(indices);
    List<Integer> keep =
        IntStream.range(0, files.files().size()).filter(i -> !drop.contains(i)).boxed().toList();
    return pick(files, keep);
  }
}
