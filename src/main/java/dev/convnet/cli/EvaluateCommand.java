package dev.convnet.cli;

import dev.convnet.api.Precisions;
import dev.convnet.api.Runs;
import dev.convnet.results.Evaluation;
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
        "Load a SavedModel and print its accuracy and confusion matrix on the 10,000 test images"
            + " (or on the test images of --data, such as a run's split.json).")
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.OwnDataOption ownData = new CommonOptions.OwnDataOption();
  @Mixin CommonOptions.Model model = new CommonOptions.Model();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Mixin CommonOptions.PrecisionChoice precisionChoice = new CommonOptions.PrecisionChoice();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Precisions.resolve(
        precisionChoice.precision, Precisions.Job.EVALUATION, spec.commandLine().getErr());
    Evaluation evaluation =
        Runs.evaluate(model.model, ownData.chosen(dataOptions), model.where.device);
    out.println(evaluation.accuracyLine("Test-Set"));
    out.println("Confusion Matrix:");
    out.print(evaluation.confusionMatrixText());
    out.flush();
    return 0;
  }
}
