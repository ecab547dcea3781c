package dev.convnet.run;

import dev.convnet.common.Records;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Formats;
import dev.convnet.train.TrainConfig;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import dev.convnet.viz.RaceChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}, one page a person reads top to bottom: the answer first (test accuracy with
 * its count, validation, time, speed, where and how it ran), then the pictures that tell how
 * training went, then the notebook's figures in cell order, then every setting once, named as
 * metrics.json names it. One file plus {@code figures/}; opens from disk, no network, no scripts.
 */
public final class Report {
  public static final String FILE_NAME = "report.html";

  /** The figures that tell how training went, shown right after the answer, in this order. */
  private static final List<String> FIRST =
      List.of("training_curve.png", "race.png", "confusion_matrix.png", "example_errors.png");

  /** The run's own race chart: its validation accuracy each epoch against training seconds. */
  static final String RACE_FILE = FIRST.get(1);

  private Report() {}

  /**
   * Draws the figures into {@code runDir/figures} and writes the report beside them: what {@code
   * train} does at its end and {@code figures} does again. Returns the line that says where they
   * are.
   */
  public static String drawWithFigures(
      Path runDir, NamedTensors tensors, Figures.Inputs inputs, RunRecord record) {
    Path figuresDir = runDir.resolve(TrainingRun.FIGURES_DIR);
    List<Figures.Figure> figures = new ArrayList<>(Figures.drawAll(figuresDir, tensors, inputs));
    RaceChart.write(
        figuresDir.resolve(RACE_FILE),
        "This run's race: validation accuracy each epoch, test accuracy at the end",
        List.of(RecipeComparison.curveOf(record.training().recipe(), record)),
        RecipeComparison.GOALS);
    figures.add(
        new Figures.Figure(
            RACE_FILE,
            "Accuracy against training seconds",
            "Validation accuracy at each epoch's end against the training seconds spent by then"
                + " (logarithmic), the test accuracy at the end, and the recipes' goals: 91% in"
                + " 20 s and 2 epochs (fast) and 93% in 300 s and 25 epochs (best) on a 2-core"
                + " CPU.",
            ""));
    Path report = write(runDir, TrainingRun.FIGURES_DIR, figures, record);
    return "Figures: " + figures.size() + " PNG files in " + figuresDir + "; open " + report;
  }

  /** Writes the report into {@code runDir}; figures are linked relative to it. */
  public static Path write(
      Path runDir, String figuresFolder, List<Figures.Figure> figures, RunRecord record) {
    RunRecord.Results r = record.results();
    StringBuilder html = new StringBuilder();
    html.append(
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>convnet-java run: %s</title>
        <style>
          body { font-family: system-ui, sans-serif; max-width: 1040px; margin: 1.5em auto; padding: 0 1em;
                 color: #1d1d1f; line-height: 1.45; }
          h1 { font-size: 1.3em; font-weight: 600; margin: 0 0 .2em; color: #555; }
          .answer { font-size: 3.2em; font-weight: 700; margin: .1em 0 0; letter-spacing: -0.02em; }
          .answer small { font-size: .4em; font-weight: 400; color: #555; letter-spacing: 0; }
          .facts { display: flex; flex-wrap: wrap; gap: .6em 2.2em; margin: .8em 0 1.6em;
                   padding: 0; list-style: none; }
          .facts li b { display: block; font-size: 1.25em; }
          .facts li span { color: #666; font-size: .9em; }
          h2 { font-size: 1.15em; margin: 2.2em 0 .6em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
          figure { margin: 1.4em 0 2em; }
          figure img { display: block; max-width: 100%%; height: auto; border: 1px solid #e3e3e3; }
          figcaption { color: #444; margin-top: .4em; max-width: 80ch; }
          .cell { font-family: ui-monospace, monospace; color: #777; margin-right: .4em; }
          table { border-collapse: collapse; }
          td, th { padding: 3px 14px 3px 0; text-align: left; vertical-align: top; }
          th { font-weight: normal; font-family: ui-monospace, monospace; color: #333; }
          td { color: #444; }
        </style></head><body>
        """
            .formatted(escape(Formats.percent(r.testAccuracy()))));
    String data =
        Files.isRegularFile(runDir.resolve(dev.convnet.data.SplitFile.FILE_NAME))
            ? "your own images (" + record.model().numClasses() + " classes)"
            : "Fashion-MNIST";
    html.append("<h1>Convolutional Neural Network on ").append(escape(data)).append("</h1>\n");
    html.append("<p class=\"answer\" id=\"test-accuracy\">")
        .append(escape(Formats.percent(r.testAccuracy())))
        .append(" <small>test accuracy (")
        .append(r.testCorrect())
        .append(" / ")
        .append(r.testTotal())
        .append(" images right)</small></p>\n<ul class=\"facts\">\n");
    for (Map.Entry<String, String> fact : facts(record).entrySet()) {
      html.append("<li><b>")
          .append(escape(fact.getValue()))
          .append("</b><span>")
          .append(escape(fact.getKey()))
          .append("</span></li>\n");
    }
    html.append("</ul>\n");

    html.append("<h2>How training went</h2>\n");
    for (String file : FIRST) {
      figures.stream()
          .filter(f -> f.file().equals(file))
          .forEach(f -> figure(html, figuresFolder, f));
    }
    html.append("<h2>The notebook's figures, cell by cell</h2>\n");
    List<Figures.Figure> rest =
        new ArrayList<>(figures.stream().filter(f -> !FIRST.contains(f.file())).toList());
    rest.sort((a, b) -> Integer.compare(cellNumber(a.cell()), cellNumber(b.cell())));
    rest.forEach(f -> figure(html, figuresFolder, f));

    html.append("<h2>Settings</h2>\n<table>\n");
    for (Map.Entry<String, String> setting :
        settings(record.training(), record.model()).entrySet()) {
      html.append("<tr><th>")
          .append(escape(setting.getKey()))
          .append("</th><td>")
          .append(escape(setting.getValue()))
          .append("</td></tr>\n");
    }
    html.append("</table>\n<p style=\"color:#777\">Data: ")
        .append(escape(r.data()))
        .append(". Every number here is in metrics.json beside this page.</p>\n</body></html>\n");
    Path file = runDir.resolve(FILE_NAME);
    try {
      Files.writeString(file, html, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** The headline facts under the answer, in words. */
  private static Map<String, String> facts(RunRecord record) {
    RunRecord.Results r = record.results();
    TrainConfig t = record.training();
    Map<String, String> facts = new LinkedHashMap<>();
    if (r.validationAccuracy() != null) {
      facts.put(
          "validation accuracy (" + r.validationCorrect() + " / " + r.validationTotal() + ")",
          Formats.percent(r.validationAccuracy()));
    }
    facts.put("training time", Formats.timeUsage(r.trainSeconds()).replace("Time usage: ", ""));
    facts.put(
        "training speed", String.format(Locale.ROOT, "%,.0f images/s", r.trainImagesPerSecond()));
    facts.put(
        "iterations of " + t.batchSize() + " images",
        String.format(Locale.ROOT, "%,d (%.1f epochs)", r.iterations(), r.epochs()));
    facts.put("device", r.device().replace("/device:", ""));
    facts.put("precision", t.precision().flag());
    facts.put("recipe", t.recipe());
    facts.put("parameters", String.format(Locale.ROOT, "%,d", r.parameterCount()));
    return facts;
  }

  /** Every setting once, named as metrics.json names it. */
  static Map<String, String> settings(TrainConfig t, ModelConfig m) {
    Map<String, String> s = new LinkedHashMap<>();
    for (String field : Records.names(TrainConfig.class)) {
      s.put(snakeCase(field), training(field, t));
    }
    for (String field : Records.names(ModelConfig.class)) {
      s.put(snakeCase(field), network(field, m));
    }
    return s;
  }

  /** batchSize as batch_size, the report's (and metrics.json's) spelling. */
  static String snakeCase(String field) {
    return field.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
  }

  /** A training setting in words where its value alone would not say enough. */
  private static String training(String field, TrainConfig t) {
    return switch (field) {
      case "length" -> t.length().count() + " " + t.length().unit().name().toLowerCase(Locale.ROOT);
      case "schedule" ->
          switch (t.schedule()) {
            case CONSTANT -> "constant";
            case WARMUP_COSINE -> "linear warm-up to the peak, then a cosine decay to 0";
            case WARMUP_LINEAR -> "linear warm-up to the peak, then a linear decay to 0";
          };
      case "augment" -> t.augment() ? "random mirroring and shifts of up to 2 pixels" : "none";
      case "whitenFirst" ->
          t.whitenFirst()
              ? "the first convolution's filters start as the whitening of the training images'"
                  + " patches"
              : "none (random filters)";
      case "labelSmoothing" -> t.labelSmoothing() > 0 ? Float.toString(t.labelSmoothing()) : "none";
      case "averageDecay" ->
          t.averageDecay() > 0
              ? "decay " + t.averageDecay() + " (evaluated and exported)"
              : "none (the last weights)";
      case "flipAverage" ->
          t.flipAverage()
              ? "each image's probabilities averaged with its mirror's (evaluated and exported)"
              : "none";
      case "checkpointEvery" ->
          t.checkpointEvery() > 0 ? t.checkpointEvery() + " iterations" : "each epoch's end";
      case "precision" -> t.precision().flag();
      default -> String.valueOf(Records.get(t, field));
    };
  }

  /** A setting of the network in words where its value alone would not say enough. */
  private static String network(String field, ModelConfig m) {
    return switch (field) {
      case "pooling", "activation" ->
          String.valueOf(Records.get(m, field)).toLowerCase(Locale.ROOT);
      case "dropout" -> m.dropout() > 0 ? Float.toString(m.dropout()) : "none";
      default -> String.valueOf(Records.get(m, field));
    };
  }

  private static void figure(StringBuilder html, String folder, Figures.Figure f) {
    html.append("<figure>\n<img src=\"")
        .append(escape(folder + "/" + f.file()))
        .append("\" alt=\"")
        .append(escape(f.title()))
        .append("\">\n<figcaption><span class=\"cell\">")
        .append(escape(f.cell()))
        .append("</span><b>")
        .append(escape(f.title()))
        .append(".</b> ")
        .append(escape(f.caption()))
        .append("</figcaption>\n</figure>\n");
  }

  /** 40 for "In [40]"; figures without a cell go last. */
  private static int cellNumber(String cell) {
    String digits = cell.replaceAll("[^0-9]", "");
    return digits.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(digits);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
