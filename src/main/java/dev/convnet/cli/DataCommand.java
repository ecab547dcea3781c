package dev.convnet.cli;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.data.SplitFile;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet data}: what cells In [3]-[6] print, from the real files. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = {
      "Find, check and summarise Fashion-MNIST as the notebook's cells In [3]-[6] do.",
      "With --write-images, write it (or its first images) as PNG files into class folders, with"
          + " a split.json that keeps In [6]'s sets: train --data on that folder trains on the"
          + " same pixels in the same order."
    })
final class DataCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--validation-size",
      paramLabel = "N",
      description = "Training images held out for validation (default: ${DEFAULT-VALUE}).")
  int validationSize = TrainConfig.VALIDATION_SIZE;

  @Option(
      names = "--write-images",
      paramLabel = "DIR",
      description = "Write the images as PNG files into class folders in DIR (new or empty).")
  Path writeImages;

  @Option(
      names = "--train-images",
      paramLabel = "N",
      description = "With --write-images: only the first N training images (default: all).")
  Integer trainImages;

  @Option(
      names = "--test-images",
      paramLabel = "N",
      description = "With --write-images: only the first N test images (default: all).")
  Integer testImages;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (writeImages == null && (trainImages != null || testImages != null)) {
      throw new IllegalArgumentException("--train-images and --test-images go with --write-images");
    }
    FashionMnist.Data data = FashionMnist.load(dataOptions.dataDir);
    out.println("Data found in " + data.directory() + " (four files, SHA-256 checked)");
    if (writeImages != null) {
      return write(data, out);
    }
    ImageSet train = data.train();
    ImageSet test = data.test();
    int side = train.imageSize();
    // In [3] and [5]
    out.printf(
        "x_train shape: (%d, %d, %d) y_train shape: (%d,)%n",
        train.size(), side, side, train.size());
    out.println(train.size() + " train set");
    out.println(test.size() + " test set");
    int imgIndex = 5;
    int labelIndex = train.label(imgIndex);
    out.println("y = " + labelIndex + " " + FashionMnist.LABELS.get(labelIndex));
    // In [6]
    Split split = Split.of(data, validationSize);
    out.printf(
        "x_train shape: (%d, %d) y_train shape: (%d, %d)%n",
        split.train().size(), side * side, split.train().size(), ModelConfig.NUM_CLASSES);
    out.println(split.train().size() + " train set");
    out.println(split.validation().size() + " validation set");
    out.println(split.test().size() + " test set");
    out.flush();
    return 0;
  }

  /** {@code --write-images}: the first images of each set as PNG files, with In [6]'s split. */
  private int write(FashionMnist.Data data, PrintWriter out) {
    int train = trainImages == null ? data.train().size() : trainImages;
    int test = testImages == null ? data.test().size() : testImages;
    if (train <= validationSize || train > data.train().size()) {
      throw new IllegalArgumentException(
          "--train-images must be above --validation-size ("
              + validationSize
              + ") and at most "
              + data.train().size());
    }
    if (test < 1 || test > data.test().size()) {
      throw new IllegalArgumentException(
          "--test-images must be between 1 and " + data.test().size());
    }
    FashionMnist.Data first =
        new FashionMnist.Data(
            data.train().slice(0, train), data.test().slice(0, test), data.directory());
    out.flush();
    ImageFolder.write(
        Split.of(first, validationSize),
        first.train(),
        writeImages,
        ReadingProgress.writing(System.out));
    out.println(
        "Wrote "
            + (train + test)
            + " PNG files and "
            + SplitFile.FILE_NAME
            + " into "
            + writeImages
            + "; train on them with: scripts/convnet train --data "
            + writeImages);
    out.flush();
    return 0;
  }
}
