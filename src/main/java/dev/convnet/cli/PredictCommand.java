package dev.convnet.cli;

import dev.convnet.api.Classification;
import dev.convnet.api.Classifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code convnet predict}: the three likeliest classes of each image file. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Classify image files (PNG, JPEG, GIF, BMP; any size) with a SavedModel.",
      "Each image becomes grey 28x28; a light background is inverted to match Fashion-MNIST's light-on-black.",
      "Exit code 0 when every file was classified, 1 when any failed (the others are still classified)."
    })
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "One JSON object per line and file instead of text.")
  boolean json;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Image files to classify.")
  List<Path> files;

  @Mixin CommonOptions.Model model = new CommonOptions.Model();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failed = 0;
    try (Classifier classifier = Classifier.load(model.model, model.where.device)) {
      for (Path file : files) {
        String name = file.toString();
        try {
          Classification answer = classifier.classify(file);
          out.println(json ? answer.toJsonLine(name) : asText(name, answer));
        } catch (IllegalArgumentException e) {
          failed++;
          if (json) {
            out.println(Classification.errorJsonLine(name, e.getMessage()));
          } else {
            err.println("convnet: error: " + e.getMessage());
          }
        }
        out.flush();
      }
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : 1;
  }

  /** "shoe.png: Sneaker 91.0%, Sandal 6.2%, Ankle boot 2.1%": the three likeliest classes. */
  private static String asText(String name, Classification answer) {
    StringBuilder sb = new StringBuilder(name).append(": ");
    List<Integer> top = answer.likeliest(Classification.TOP);
    for (int k = 0; k < top.size(); k++) {
      int c = top.get(k);
      sb.append(k == 0 ? "" : ", ")
          .append(answer.classNames().get(c))
          .append(String.format(" %.1f%%", 100 * answer.probabilities().get(c)));
    }
    if (answer.inverted()) {
      sb.append("  (light background: inverted to light-on-dark)");
    }
    return sb.toString();
  }
}
