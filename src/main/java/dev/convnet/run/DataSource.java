package dev.convnet.run;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.ImageSet;
import dev.convnet.data.OwnData;
import dev.convnet.data.Split;
import dev.convnet.data.SplitFile;
import java.nio.file.Path;
import java.util.Optional;

/** Where a run's images come from: the real Fashion-MNIST, or a split a test made. */
public interface DataSource {
  /** Training images before the validation split, known without reading them. */
  int trainingImages();

  /**
   * The images held out for validation when {@code validationSize} is asked for: that many (In
   * [6]), or for class folders, whose classes are held out in shares, their share.
   */
  default int validationImages(int validationSize) {
    return validationSize;
  }

  /** Loads the images and splits off the first {@code validationSize} for validation (In [6]). */
  Loaded load(int validationSize);

  /**
   * What {@link #load} gives: the split, the training set before it (In [5]), its origin, and for
   * data of one's own the split file that the run directory keeps.
   */
  record Loaded(Split split, ImageSet original, String description, Optional<SplitFile> splitFile) {
    public Loaded(Split split, ImageSet original, String description) {
      this(split, original, description, Optional.empty());
    }
  }

  /** This data loaded now, once, for a sweep of runs that all hold out {@code validationSize}. */
  default DataSource loadedOnce(int validationSize) {
    Loaded loaded = load(validationSize);
    return of(loaded.split(), loaded.description());
  }

  /** Fashion-MNIST from {@code dataDir}, or from the usual places when null. */
  static DataSource fashionMnist(Path dataDir) {
    return new DataSource() {
      @Override
      public int trainingImages() {
        return FashionMnist.TRAIN_SIZE;
      }

      @Override
      public Loaded load(int validationSize) {
        FashionMnist.Data data = FashionMnist.load(dataDir);
        return new Loaded(
            Split.of(data, validationSize), data.train(), data.directory().toString());
      }
    };
  }

  /**
   * Data of one's own ({@link OwnData}): class folders, IDX files or a split file at {@code path},
   * split with {@code seed}; {@code reading} hears how the reading of image files goes.
   */
  static DataSource own(Path path, long seed, ImageFolder.Reading reading) {
    OwnData.check(path);
    return new DataSource() {
      private OwnData.Source source; // opened at the first question: listed or read once

      private OwnData.Source source() {
        if (source == null) {
          source = OwnData.open(path, seed);
        }
        return source;
      }

      @Override
      public int trainingImages() {
        return source().trainingImages();
      }

      @Override
      public int validationImages(int validationSize) {
        return source().validationImages(validationSize);
      }

      @Override
      public Loaded load(int validationSize) {
        OwnData.Loaded loaded = source().load(validationSize, reading);
        String description =
            path
                + ", "
                + loaded.split().train().numClasses()
                + " classes"
                + (loaded.skipped() > 0
                    ? ", " + loaded.skipped() + " hidden or system files skipped"
                    : "");
        return new Loaded(
            loaded.split(), loaded.original(), description, Optional.of(loaded.splitFile()));
      }
    };
  }

  /** A split already in memory (tests hand in small generated data). */
  static DataSource of(Split split, String description) {
    return new DataSource() {
      @Override
      public int trainingImages() {
        return split.train().size() + split.validation().size();
      }

      @Override
      public Loaded load(int validationSize) {
        if (validationSize != split.validation().size()) {
          throw new IllegalArgumentException(
              "the given split holds "
                  + split.validation().size()
                  + " validation images, not "
                  + validationSize);
        }
        return new Loaded(split, split.train(), description);
      }
    };
  }
}
