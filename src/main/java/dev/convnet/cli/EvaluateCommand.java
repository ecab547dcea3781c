package dev.convnet.cli;

import dev.convnet.data.FashionMnist;
import dev.convnet.serve.SavedModelClassifier;
import dev.convnet.train.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code convnet evaluate}: a SavedModel's accuracy on the test set, from a fresh process. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Load a SavedModel and print its accuracy and confusion matrix on the 10,000 test images.")
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "DIR", required = true, description = "A SavedModel folder, such as runs/<timestamp>/saved_model.")
  Path model;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder with the four IDX files (default: the usual places).")
  Path dataDir;

  @Option(names = "--device", paramLabel = "WHERE", defaultValue = "auto", converter = TrainCommand.DeviceConverter.class,
      description = "auto, cpu or gpu (fails at once when TensorFlow sees none). Default: ${DEFAULT-VALUE}.")
  dev.convnet.model.Device device;

  @Option(names = "--verbose", description = "Show stack traces of errors.")
  boolean verbose;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String where = device.resolve(); // before loading anything
    FashionMnist.Data data = FashionMnist.load(dataDir);
    try (SavedModelClassifier classifier = SavedModelClassifier.load(model, where)) {
      Evaluation test = classifier.evaluate(data.test());
      out.println(test.accuracyLine("Test-Set"));
      out.println("Confusion Matrix:");
      out.print(test.confusionMatrixText());
      out.flush();
    }
    return 0;
  }
}
