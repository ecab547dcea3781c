package dev.convnet.run;

import dev.convnet.model.ModelConfig;
import dev.convnet.results.Formats;
import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig;
import dev.convnet.viz.AccuracyChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The recipes side by side on the real data: each trains the notebook's network once, and the table
 * and chart show test accuracy against training seconds.
 */
public final class RecipeComparison {
  /** The table this writes. */
  public static final String TABLE_FILE = "recipes.md";

  /** The chart this writes. */
  public static final String CHART_FILE = "recipes.png";

  private RecipeComparison() {}

  /** What one recipe reached. */
  public record Outcome(TrainConfig recipe, RunResult result) {}

  /** Trains each of {@code recipes} into a folder of {@code out}, on data loaded once. */
  public static List<Outcome> run(
      List<TrainConfig> recipes, Path out, DataSource data, Consumer<Outcome> done) {
    DataSource once = data.loadedOnce(TrainConfig.VALIDATION_SIZE);
    List<Outcome> outcomes = new ArrayList<>();
    for (TrainConfig recipe : recipes) {
      TrainingRun.Request request =
          TrainingRun.Request.fresh(ModelConfig.notebook(), recipe, out.resolve(recipe.recipe()))
              .withFigures(false);
      Outcome outcome = new Outcome(recipe, TrainingRun.run(request, once, line -> {}));
      outcomes.add(outcome);
      done.accept(outcome);
    }
    return outcomes;
  }

  /** Writes the table and the chart into {@code folder}; returns the table's file. */
  public static Path write(Path folder, List<Outcome> outcomes) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append(Machine.current().stamp("scripts/convnet recipes")).append("\n\n");
    md.append("| recipe | test accuracy | validation accuracy | training time | epochs |\n");
    md.append("| --- | --- | --- | --- | --- |\n");
    List<AccuracyChart.Point> points = new ArrayList<>();
    for (Outcome o : outcomes) {
      RunRecord.Results r = o.result().record().results();
      md.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %s (%d) | %s | %.0f s | %.2f |%n",
              o.recipe().recipe(),
              Formats.percent(r.testAccuracy()),
              r.testCorrect(),
              r.validationAccuracy() == null ? "-" : Formats.percent(r.validationAccuracy()),
              r.trainSeconds(),
              r.epochs()));
      points.add(new AccuracyChart.Point(o.recipe().recipe(), r.trainSeconds(), r.testAccuracy()));
    }
    Path table = folder.resolve(TABLE_FILE);
    Files.writeString(table, md.toString());
    AccuracyChart.write(
        folder.resolve(CHART_FILE),
        new AccuracyChart.Axes(
            "The recipes: test accuracy against training time", "training seconds", false),
        points);
    return table;
  }
}
