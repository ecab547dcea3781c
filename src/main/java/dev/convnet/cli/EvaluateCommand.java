package dev.convnet.cli;

import dev.convnet.data.FashionMnist;
import dev.convnet.results.Evaluation;
import dev.convnet.serve.SavedModelClassifier;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code convnet evaluate}: a SavedModel's accuracy on the test set, from a fresh process. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Load a SavedModel and print its accuracy and confusion matrix on the 10,000 test images.")
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Model model = new CommonOptions.Model();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Mixin CommonOptions.PrecisionChoice precisionChoice = new CommonOptions.PrecisionChoice();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Precisions.resolve(
        precisionChoice.precision, Precisions.Job.EVALUATION, spec.commandLine().getErr());
    String where = model.where.device.resolve(); // before loading anything
    try (SavedModelClassifier classifier = SavedModelClassifier.load(model.model, where)) {
      FashionMnist.Data data =
          FashionMnist.load(dataOptions.dataDir); // after the model: it fails faster
      Evaluation test = classifier.evaluate(data.test());
      out.println(test.accuracyLine("Test-Set"));
      out.println("Confusion Matrix:");
      out.print(test.confusionMatrixText());
      out.flush();
    }
    return 0;
  }
}
