package dev.convnet.run;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import java.nio.file.Path;

/** Where a run's images come from: the real Fashion-MNIST, or a split a test made. */
public interface DataSource {
  /** Training images before the validation split, known without reading them. */
  int trainingImages();

  /** Loads the images and splits off the first {@code validationSize} for validation (In [6]). */
  Loaded load(int validationSize);

  /** What {@link #load} gives: the split, the training set before it (In [5]), and its origin. */
  record Loaded(Split split, ImageSet original, String description) {}

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
