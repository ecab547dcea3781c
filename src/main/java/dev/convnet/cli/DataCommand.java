package dev.convnet.cli;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.io.PrintWriter;
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
    description = "Find, check and summarise Fashion-MNIST as the notebook's cells In [3]-[6] do.")
final class DataCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--validation-size",
      paramLabel = "N",
      description = "Training images held out for validation (default: ${DEFAULT-VALUE}).")
  int validationSize = TrainConfig.VALIDATION_SIZE;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    FashionMnist.Data data = FashionMnist.load(dataOptions.dataDir);
    out.println("Data found in " + data.directory() + " (four files, SHA-256 checked)");
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
}
