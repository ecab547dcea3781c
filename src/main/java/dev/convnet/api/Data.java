package dev.convnet.api;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.ImageSet;
import dev.convnet.data.OwnData;
import dev.convnet.data.Split;
import dev.convnet.data.SplitFile;
import dev.convnet.run.DataSource;
import dev.convnet.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the images come from: Fashion-MNIST, or images of one's own. Every command that reads
 * images chooses them here ({@link #choose}), and a run's own images are found here ({@link
 * #ofRun}).
 */
public sealed interface Data {
  /** The file that keeps the sets of images of one's own: written into each run directory. */
  String SPLIT_FILE = SplitFile.FILE_NAME;

  /**
   * Fashion-MNIST's four IDX files.
   *
   * @param directory the folder that holds them; null for the usual places ({@code
   *     $FASHION_MNIST_DIR}, {@code data/fashion-mnist}, {@code /usr/share/datasets/fashion-mnist})
   */
  record FashionMnistFiles(Path directory) implements Data {
    /** Both sets, read and checked. */
    public FashionMnist.Data load() {
      return FashionMnist.load(directory);
    }

    @Override
    public ImageSet testImages() {
      return FashionMnist.loadTest(directory);
    }

    @Override
    public FashionMnist.Data trainAndTest(long seed, int validationSize) {
      return load();
    }

    @Override
    public Split split(long seed, int validationSize) {
      return Split.of(load(), validationSize);
    }

    @Override
    public DataSource source(long seed) {
      return DataSource.fashionMnist(directory);
    }

    @Override
    public void check() {}

    /**
     * Writes the first {@code trainImages} training and {@code testImages} test images of {@code
     * data} (null: all) as PNG files into class folders in {@code out} (new or empty), with a
     * {@code split.json} that keeps In [6]'s sets: training on that folder trains on the same
     * pixels in the same order.
     *
     * @param writing told how the writing goes (a progress display)
     * @return how many files were written
     */
    public int writeImages(
        FashionMnist.Data data,
        Path out,
        Integer trainImages,
        Integer testImages,
        int validationSize,
        ImageFolder.Reading writing) {
      int train = trainImages == null ? data.train().size() : trainImages;
      int test = testImages == null ? data.test().size() : testImages;
      if (train <= validationSize || train > data.train().size()) {
        throw new InvalidSettingException(
            "trainImages",
            "{trainImages} must be above {validationSize} ("
                + validationSize
                + ") and at most "
                + data.train().size());
      }
      if (test < 1 || test > data.test().size()) {
        throw new InvalidSettingException(
            "testImages", "{testImages} must be between 1 and " + data.test().size());
      }
      FashionMnist.Data first =
          new FashionMnist.Data(
              data.train().slice(0, train), data.test().slice(0, test), data.directory());
      ImageFolder.write(Split.of(first, validationSize), first.train(), out, writing);
      return train + test;
    }
  }

  /**
   * Images of one's own: a folder of class folders, a folder of the four IDX files of any 28x28
   * set, or a {@code split.json} (a run's: its very sets).
   *
   * @param path the folder or file
   * @param reading told how the reading of image files goes (a progress display), from the decoding
   *     threads
   */
  record OwnImages(Path path, ImageFolder.Reading reading) implements Data {
    /** The same images, read with {@code reading} told how it goes. */
    public OwnImages withReading(ImageFolder.Reading value) {
      return new OwnImages(path, value);
    }

    @Override
    public ImageSet testImages() {
      return OwnData.open(path, TrainConfig.SEED).loadTest(TrainConfig.VALIDATION_SIZE, reading);
    }

    @Override
    public FashionMnist.Data trainAndTest(long seed, int validationSize) {
      OwnData.Loaded own = OwnData.load(path, seed, validationSize, reading);
      return new FashionMnist.Data(own.original(), own.split().test(), path);
    }

    @Override
    public Split split(long seed, int validationSize) {
      return OwnData.open(path, seed).load(validationSize, reading).split();
    }

    @Override
    public DataSource source(long seed) {
      return DataSource.own(path, seed, reading);
    }

    @Override
    public void check() {
      OwnData.check(path);
    }
  }

  /** Fashion-MNIST from the usual places. */
  static Data fashionMnist() {
    return new FashionMnistFiles(null);
  }

  /** Fashion-MNIST from {@code directory} alone. */
  static Data fashionMnist(Path directory) {
    return new FashionMnistFiles(directory);
  }

  /** Images of one's own at {@code path} (class folders, IDX files or a split.json). */
  static OwnImages ownImages(Path path) {
    return new OwnImages(path, ImageFolder.Reading.QUIET);
  }

  /**
   * The one choice between data sets: images of one's own when {@code ownImages} is given, else
   * Fashion-MNIST from {@code fashionMnistDirectory} (null: the usual places).
   *
   * @throws InvalidSettingException when both are given
   */
  static Data choose(Path ownImages, Path fashionMnistDirectory) {
    if (ownImages != null && fashionMnistDirectory != null) {
      throw new InvalidSettingException(
          "data", "{data} and {dataDir} name two data sets; give one");
    }
    return ownImages != null ? ownImages(ownImages) : fashionMnist(fashionMnistDirectory);
  }

  /**
   * The images the run in {@code runDir} trained on: those its {@code split.json} names, else
   * Fashion-MNIST from {@code fashionMnistDirectory} (null: the usual places).
   */
  static Data ofRun(Path runDir, Path fashionMnistDirectory) {
    Path split = runDir.resolve(SplitFile.FILE_NAME);
    return Files.isRegularFile(split) ? ownImages(split) : fashionMnist(fashionMnistDirectory);
  }

  /** The test images, alone where that reads less. */
  ImageSet testImages();

  /**
   * The training images before the validation split (In [5]) and the test images, split with {@code
   * seed} and {@code validationSize} where the data is split by this project.
   */
  FashionMnist.Data trainAndTest(long seed, int validationSize);

  /** The training, validation and test sets (In [6]). */
  Split split(long seed, int validationSize);

  /** The data as a run reads it, split with {@code seed}. */
  DataSource source(long seed);

  /**
   * Refuses a path that cannot be such data, in one line, before anything is loaded.
   *
   * @throws InvalidSettingException naming the data
   */
  void check();
}
