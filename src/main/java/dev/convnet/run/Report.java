package dev.convnet.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convnet.viz.Figures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code report.html}: every figure with its caption, the metrics and hyperparameters; opens from
 * disk, no network.
 */
public final class Report {
  public static final String FILE_NAME = "report.html";

  private Report() {}

  /**
   * Writes the report into {@code runDir}; figures are linked relative to it, from {@code
   * figuresFolder}.
   */
  public static Path write(
      Path runDir, String figuresFolder, List<Figures.Figure> figures, RunRecord record) {
    JsonObject metrics = record.toJson();
    StringBuilder html = new StringBuilder();
    html.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>convnet-java run report</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
          h1 { margin-bottom: 0.2em; } .sub { color: #666; margin-top: 0; }
          table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
          figure { margin: 2em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
          figcaption { color: #444; margin-top: 0.4em; } .cell { font-family: monospace; color: #777; }
        </style></head><body>
        <h1>Convolutional Neural Network on Fashion-MNIST</h1>
        <p class="sub">A run of convnet-java: the notebook's network, trained in TensorFlow Java.</p>
        """);
    html.append("<h2>Results</h2>\n<table>\n");
    for (String key :
        List.of(
            "test_accuracy",
            "test_correct",
            "test_total",
            "validation_accuracy",
            "iterations",
            "epochs",
            "train_seconds",
            "train_images_per_second",
            "device")) {
      row(html, key, metrics.get(key));
    }
    html.append("</table>\n<h2>Hyperparameters</h2>\n<table>\n");
    for (String key : List.of("recipe", "batch_size", "learning_rate", "seed", "validation_size")) {
      row(html, key, metrics.get(key));
    }
    if (metrics.has("model") && metrics.get("model").isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : metrics.getAsJsonObject("model").entrySet()) {
        row(html, e.getKey(), e.getValue());
      }
    }
    html.append("</table>\n<h2>Figures</h2>\n");
    for (Figures.Figure f : figures) {
      html.append("<figure>\n<img src=\"")
          .append(escape(figuresFolder + "/" + f.file()))
          .append("\" alt=\"")
          .append(escape(f.title()))
          .append("\">\n")
          .append("<figcaption><span class=\"cell\">")
          .append(escape(f.cell()))
          .append("</span> <b>")
          .append(escape(f.title()))
          .append(".</b> ")
          .append(escape(f.caption()))
          .append("</figcaption>\n</figure>\n");
    }
    html.append("</body></html>\n");
    Path file = runDir.resolve(FILE_NAME);
    try {
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  private static void row(StringBuilder html, String key, JsonElement value) {
    String text =
        value == null || value.isJsonNull()
            ? "-"
            : value.isJsonPrimitive() ? format(value) : value.toString();
    html.append("<tr><th>")
        .append(escape(key))
        .append("</th><td>")
        .append(escape(text))
        .append("</td></tr>\n");
  }

  private static String format(JsonElement value) {
    if (value.getAsJsonPrimitive().isNumber()) {
      double d = value.getAsDouble();
      return d == Math.rint(d) && Math.abs(d) < 1e15
          ? Long.toString((long) d)
          : String.format("%.4g", d);
    }
    return value.getAsString();
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
