package dev.convnet.cli;

import dev.convnet.api.Data;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
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
    Data.FashionMnistFiles fashionMnist = new Data.FashionMnistFiles(dataOptions.dataDir);
    FashionMnist.Data data = fashionMnist.load();
    out.println("Data found in " + data.directory() + " (four files, SHA-256 checked)");
    if (writeImages != null) {
      out.flush();
      int written =
          fashionMnist.writeImages(
              data,
              writeImages,
              trainImages,
              testImages,
              validationSize,
              ReadingProgress.writing(System.out));
      out.println(
          "Wrote "
              + written
              + " PNG files and "
              + Data.SPLIT_FILE
              + " into "
              + writeImages
              + "; train on them with: scripts/convnet train --data "
              + writeImages);
      out.flush();
      return 0;
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
    out.println("y = " + labelIndex + " " + train.classNames().get(labelIndex));
    // In [6]
    Split split = Split.of(data, validationSize);
    out.printf(
        "x_train shape: (%d, %d) y_train shape: (%d, %d)%n",
        split.train().size(), side * side, split.train().size(), train.numClasses());
    out.println(split.train().size() + " train set");
    out.println(split.validation().size() + " validation set");
    out.println(split.test().size() + " test set");
    out.flush();
    return 0;
  }
}
