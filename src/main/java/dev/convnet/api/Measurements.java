package dev.convnet.api;

import dev.convnet.bench.BenchResult;
import dev.convnet.bench.Benchmark;
import dev.convnet.bench.ServeBenchmark;
import dev.convnet.results.DocBlock;
import dev.convnet.results.Json;
import dev.convnet.results.Machine;
import dev.convnet.run.Exercises;
import dev.convnet.run.RecipeComparison;
import dev.convnet.run.RunDirectory;
import dev.convnet.train.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The project's measurements: the benchmark (speed, memory, serving), the tutorial's exercises as
 * experiments, and the recipes side by side; each writes what it measured, and a docs page's table
 * when asked.
 */
public final class Measurements {
  private Measurements() {}

  /**
   * Measures training and evaluation speed, memory and the op profile as {@code plan} says, on the
   * training images of {@code data}, printing as it goes to {@code out}.
   */
  public static BenchResult bench(Benchmark.Plan plan, Data data, PrintWriter out) {
    return new Benchmark(plan, data.split(TrainConfig.SEED, TrainConfig.VALIDATION_SIZE), out)
        .run();
  }

  /**
   * Measures {@code serve} in a process of its own, on Fashion-MNIST's test images, against the
   * model in process.
   *
   * @param serveArguments the arguments that start {@code serve} for a SavedModel, with or without
   *     batching
   */
  public static BenchResult benchServe(
      Benchmark.Plan plan,
      Data.FashionMnistFiles data,
      ServeBenchmark.Client client,
      ServeBenchmark.ServeArguments serveArguments,
      PrintWriter out) {
    dev.convnet.data.Split split = data.split(TrainConfig.SEED, TrainConfig.VALIDATION_SIZE);
    Benchmark benchmark = new Benchmark(plan, split, out);
    return benchmark.serve(
        new ServeBenchmark(plan.seconds(), client, split.test(), serveArguments, out));
  }

  /** Writes {@code result} as one JSON object to {@code file}. */
  public static void writeJson(BenchResult result, Path file) throws IOException {
    Files.writeString(file, Json.GSON.toJson(result.toJson()) + "\n");
  }

  /** The tutorial's exercises as experiments: each trains {@code quick}ly or for 5 epochs. */
  public static List<Exercises.Experiment> exercises(boolean quick) {
    return Exercises.all(quick);
  }

  /**
   * Runs {@code experiments} on {@code data} into {@code folder}, {@code each} told of every
   * outcome, and writes the table and chart; with {@code docPage}, the table also into its block
   * {@code exercises-table} and the chart beside it.
   *
   * @param flags names a setting as the command line's flag
   * @return the files written: the table first
   */
  public static List<Path> runExercises(
      List<Exercises.Experiment> experiments,
      Path folder,
      Data data,
      UnaryOperator<String> flags,
      Path docPage,
      Consumer<Exercises.Outcome> each)
      throws IOException {
    List<Exercises.Outcome> outcomes =
        Exercises.run(experiments, folder, data.source(TrainConfig.SEED), each);
    List<Path> written = new ArrayList<>(Exercises.write(folder, outcomes, flags));
    if (docPage != null) {
      DocBlock.replace(docPage, Exercises.DOC_BLOCK, Files.readString(written.get(0)));
      for (Path chart : written.subList(1, written.size())) {
        Files.copy(
            chart,
            docPage.resolveSibling(chart.getFileName()),
            StandardCopyOption.REPLACE_EXISTING);
      }
      written.add(docPage);
    }
    return written;
  }

  /**
   * Trains each of {@code recipes} once per seed of {@code seeds} on {@code data}, into {@code
   * folder}, {@code each} told of every outcome; then writes the table and the race chart ({@link
   * #writeRecipes}).
   */
  public static Path runRecipes(
      List<TrainConfig> recipes,
      List<Long> seeds,
      Path folder,
      Data data,
      Path docPage,
      Consumer<RecipeComparison.Outcome> each)
      throws IOException {
    List<RecipeComparison.Outcome> outcomes =
        RecipeComparison.run(recipes, seeds, folder, data.source(TrainConfig.SEED), each);
    Path table = RecipeComparison.write(folder, outcomes);
    copyRecipesInto(docPage, folder, table);
    return table;
  }

  /**
   * Writes the recipes' table and race chart again from the runs an earlier {@link #runRecipes}
   * left in {@code folder}, and with {@code docPage} into that page.
   */
  public static Path writeRecipes(Path folder, Path docPage) throws IOException {
    checkPage(docPage);
    Path table =
        RecipeComparison.write(
            folder,
            RecipeComparison.read(folder),
            "scripts/convnet recipes`, redrawn from its runs by `scripts/convnet recipes --from");
    copyRecipesInto(docPage, folder, table);
    return table;
  }

  /**
   * The table into {@code page}'s block {@code recipes-table-KIND} and the chart beside it as
   * {@code recipes-KIND.png}, KIND being this kind of CPU: a speed holds for the CPU it was
   * measured on.
   */
  private static void copyRecipesInto(Path page, Path folder, Path table) throws IOException {
    if (page == null) {
      return;
    }
    String kind = Machine.current().cpu().kind();
    DocBlock.replace(page, RecipeComparison.docBlock(kind), Files.readString(table));
    Files.copy(
        folder.resolve(RecipeComparison.CHART_FILE),
        page.resolveSibling("recipes-" + kind + ".png"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The folder a measurement writes into, created: {@code out} (new or empty, unless {@code
   * force}), or {@code runs/PREFIX<time>}; refuses a {@code docPage} that does not exist first.
   */
  public static Path outputFolder(Path out, boolean force, String prefix, Path docPage)
      throws IOException {
    checkPage(docPage);
    if (out != null) {
      RunDirectory.check(out, force);
    }
    Path folder = out != null ? out : RunDirectory.createDefault(prefix);
    Files.createDirectories(folder);
    return folder;
  }

  private static void checkPage(Path page) {
    if (page != null && !Files.isRegularFile(page)) {
      throw new dev.convnet.common.InvalidSettingException(
          "doc", "{doc} " + page + ": no such page");
    }
  }
}
