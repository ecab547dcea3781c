package dev.convnet.cli;

import dev.convnet.data.ImageInput;
import dev.convnet.results.Json;
import dev.convnet.serve.Prediction;
import dev.convnet.serve.SavedModelClassifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    try (SavedModelClassifier classifier =
        SavedModelClassifier.load(model.model, model.where.device.resolve())) {
      for (Path file : files) {
        String name = file.toString();
        ImageInput.Prepared image;
        try {
          image = ImageInput.read(file);
        } catch (IllegalArgumentException e) {
          failed++;
          if (json) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("file", name);
            error.put("error", e.getMessage());
            out.println(Json.LINES.toJson(error));
          } else {
            err.println("convnet: error: " + e.getMessage());
          }
          continue;
        }
        float[] p = classifier.probabilities(image.pixels(), 1);
        if (json) {
          out.println(
              Json.LINES.toJson(Prediction.of(name, p, image.inverted(), classifier.classNames())));
        } else {
          StringBuilder sb = new StringBuilder(name).append(": ");
          List<Integer> top = Prediction.likeliest(p);
          for (int k = 0; k < top.size(); k++) {
            int c = top.get(k);
            sb.append(k == 0 ? "" : ", ")
                .append(classifier.classNames().get(c))
                .append(String.format(" %.1f%%", 100 * p[c]));
          }
          if (image.inverted()) {
            sb.append("  (light background: inverted to light-on-dark)");
          }
          out.println(sb);
        }
        out.flush();
      }
    }
    out.flush();
    err.flush();
    return failed == 0 ? 0 : 1;
  }
}
