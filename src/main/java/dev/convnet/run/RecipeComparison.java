package dev.convnet.run;

import dev.convnet.model.ModelConfig;
import dev.convnet.results.Formats;
import dev.convnet.results.History;
import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig;
import dev.convnet.viz.RaceChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The recipes side by side on the real data: each trains the notebook's network once per seed; the
 * table gives test and validation accuracy and training seconds against the goals, and the race
 * chart draws validation accuracy against training seconds, a point per epoch.
 */
public final class RecipeComparison {
  /** The table this writes. */
  public static final String TABLE_FILE = "recipes.md";

  /** The chart this writes. */
  public static final String CHART_FILE = "recipes.png";

  /** The block of a docs page that the table replaces, for the CPU kind {@code kind}. */
  public static String docBlock(String kind) {
    return "recipes-table-" + kind;
  }

  /**
   * What the recipes aim at on a 2-core CPU: {@code fast} 91% test accuracy in at most 20 s of
   * training, {@code best} 93% in under 300 s. Drawn on every race chart; the table says which runs
   * reach them.
   */
  public static final List<RaceChart.Goal> GOALS =
      List.of(new RaceChart.Goal(20, 0.91, 2), new RaceChart.Goal(300, 0.93, 25));

  /** Which goal each recipe races for. */
  private static final Map<String, RaceChart.Goal> GOAL_OF =
      Map.of("fast", GOALS.get(0), "best", GOALS.get(1));

  private RecipeComparison() {}

  /** What one recipe reached with one seed. */
  public record Outcome(TrainConfig recipe, RunResult result) {}

  /**
   * Trains each of {@code recipes} with each of {@code seeds} (the first into {@code out/<recipe>},
   * the others into {@code out/<recipe>-seed<S>}), on data loaded once.
   */
  public static List<Outcome> run(
      List<TrainConfig> recipes,
      List<Long> seeds,
      Path out,
      DataSource data,
      Consumer<Outcome> done) {
    // Every recipe holds out the same validation images (the notebook's 5,000).
    DataSource once = data.loadedOnce(recipes.get(0).validationSize());
    List<Outcome> outcomes = new ArrayList<>();
    for (TrainConfig recipe : recipes) {
      for (int s = 0; s < seeds.size(); s++) {
        TrainConfig seeded = recipe.withSeed(seeds.get(s));
        String folder = recipe.recipe() + (s == 0 ? "" : "-seed" + seeds.get(s));
        TrainingRun.Request request =
            TrainingRun.Request.fresh(ModelConfig.notebook(), seeded, out.resolve(folder))
                .withFigures(false);
        Outcome outcome = new Outcome(seeded, TrainingRun.run(request, once, line -> {}));
        outcomes.add(outcome);
        done.accept(outcome);
      }
    }
    return outcomes;
  }

  /**
   * The runs an earlier {@link #run} left in {@code folder}, read back from their metrics.json, in
   * the order it trained them ({@code fast}, {@code default}, {@code best}, then any other recipe;
   * the first seed, then the others), so that {@link #write} can draw them again.
   */
  public static List<Outcome> read(Path folder) throws IOException {
    List<String> order = List.of("fast", "default", "best");
    List<Path> runs;
    try (var entries = Files.list(folder)) {
      runs =
          entries
              .filter(d -> Files.isRegularFile(d.resolve(RunRecord.FILE_NAME)))
              .sorted()
              .toList();
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Path dir : runs) {
      RunRecord record = RunRecord.read(dir);
      outcomes.add(new Outcome(record.training(), new RunResult(dir, null, null, record)));
    }
    outcomes.sort(
        java.util.Comparator.comparingInt(
            (Outcome o) -> {
              int at = order.indexOf(o.recipe().recipe());
              return at < 0 ? order.size() : at;
            }));
    if (outcomes.isEmpty()) {
      throw new IllegalArgumentException(folder + " holds no finished recipe runs");
    }
    return outcomes;
  }

  /** The race chart's curve of one run: its epochs' validation accuracy, then its test accuracy. */
  public static RaceChart.Curve curveOf(String label, RunRecord record) {
    List<History.EpochEnd> epochs = record.history().epochs();
    RunRecord.Results r = record.results();
    return new RaceChart.Curve(
        label,
        epochs.stream().mapToDouble(History.EpochEnd::trainSeconds).toArray(),
        epochs.stream().mapToDouble(History.EpochEnd::validationAccuracy).toArray(),
        r.trainSeconds(),
        r.testAccuracy());
  }

  /** Whether {@code r} reached the goal its recipe races for; "-" for recipes without one. */
  static String goalReached(String recipe, RunRecord.Results r) {
    RaceChart.Goal goal = GOAL_OF.get(recipe);
    if (goal == null) {
      return "-";
    }
    boolean met = goal.reachedBy(r.testAccuracy(), r.trainSeconds(), r.epochs());
    return (met ? "reached" : "missed") + " (" + goal.describe() + ")";
  }

  /**
   * Writes the table (the first seed's run of each recipe, then every seed's when there are
   * several) and the race chart (the first seed's runs) into {@code folder}; returns the table.
   */
  public static Path write(Path folder, List<Outcome> outcomes) throws IOException {
    return write(folder, outcomes, "scripts/convnet recipes");
  }

  /** The same, stamped as written by {@code command} (a redraw names the runs' own command). */
  public static Path write(Path folder, List<Outcome> outcomes, String command) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append(Machine.current().stamp(command)).append("\n\n");
    md.append("| recipe | test accuracy | validation accuracy | training time | epochs | goal |\n");
    md.append("| --- | --- | --- | --- | --- | --- |\n");
    Map<String, List<Outcome>> byRecipe = new LinkedHashMap<>();
    for (Outcome o : outcomes) {
      byRecipe.computeIfAbsent(o.recipe().recipe(), k -> new ArrayList<>()).add(o);
    }
    List<RaceChart.Curve> curves = new ArrayList<>();
    for (List<Outcome> runs : byRecipe.values()) {
      Outcome o = runs.get(0);
      RunRecord.Results r = o.result().record().results();
      md.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %s (%d) | %s | %.1f s | %.2f | %s |%n",
              o.recipe().recipe(),
              Formats.percent(r.testAccuracy()),
              r.testCorrect(),
              r.validationAccuracy() == null ? "-" : Formats.percent(r.validationAccuracy()),
              r.trainSeconds(),
              r.epochs(),
              goalReached(o.recipe().recipe(), r)));
      curves.add(curveOf(o.recipe().recipe(), o.result().record()));
    }
    if (outcomes.size() > byRecipe.size()) {
      md.append("\n| recipe | seed | test accuracy | validation accuracy | training time |\n");
      md.append("| --- | --- | --- | --- | --- |\n");
      for (List<Outcome> runs : byRecipe.values()) {
        double low = 1;
        double high = 0;
        for (Outcome o : runs) {
          RunRecord.Results r = o.result().record().results();
          low = Math.min(low, r.testAccuracy());
          high = Math.max(high, r.testAccuracy());
          md.append(
              String.format(
                  Locale.ROOT,
                  "| `%s` | %d | %s (%d) | %s | %.1f s |%n",
                  o.recipe().recipe(),
                  o.recipe().seed(),
                  Formats.percent(r.testAccuracy()),
                  r.testCorrect(),
                  r.validationAccuracy() == null ? "-" : Formats.percent(r.validationAccuracy()),
                  r.trainSeconds()));
        }
        md.append(
            String.format(
                Locale.ROOT,
                "| `%s` | spread of %d seeds | %.2f points (%.2f%% to %.2f%%) | | |%n",
                runs.get(0).recipe().recipe(),
                runs.size(),
                (high - low) * 100,
                low * 100,
                high * 100));
      }
    }
    Path table = folder.resolve(TABLE_FILE);
    Files.writeString(table, md.toString());
    RaceChart.write(
        folder.resolve(CHART_FILE),
        "The recipes' race: validation accuracy each epoch, test accuracy at the end",
        curves,
        GOALS);
    return table;
  }
}
