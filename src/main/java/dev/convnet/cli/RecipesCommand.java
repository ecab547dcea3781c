package dev.convnet.cli;

import dev.convnet.api.Data;
import dev.convnet.api.Measurements;
import dev.convnet.train.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet recipes}: every recipe trained once, test accuracy against training time. */
@Command(
    name = "recipes",
    mixinStandardHelpOptions = true,
    description = {
      "Train the notebook's network with each recipe on the real data and compare them.",
      "Writes recipes.md (test and validation accuracy, training time, the goals: 91%% in 20 s"
          + " and 2 epochs for fast, 93%% in 300 s and 25 epochs for best) and recipes.png (the"
          + " race: validation accuracy each epoch against training seconds, test accuracy at the"
          + " end) into --out, and one run folder per recipe and seed.",
      "--doc docs/recipes.md writes the table into that page's block recipes-table-KIND and the"
          + " chart beside the page as recipes-KIND.png, KIND being this kind of CPU (amd,"
          + " intel-amx, ...): a speed holds for the CPU it was measured on."
    })
final class RecipesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--only",
      paramLabel = "NAME",
      split = ",",
      description = "Only these recipes, such as --only fast,default (default: all but notebook).")
  List<String> only;

  @Option(
      names = "--seeds",
      paramLabel = "S",
      split = ",",
      description =
          "Train each recipe once per seed, such as --seeds 42,1,2: the table adds each seed's"
              + " run and the spread (default: the recipes' own seed, "
              + TrainConfig.SEED
              + ").")
  List<Long> seeds;

  @Option(
      names = "--from",
      paramLabel = "DIR",
      description =
          "Train nothing: write the table and the chart again from the runs an earlier recipes"
              + " left in DIR (its --out).")
  Path from;

  @Mixin CommonOptions.MeasuredOutput output = new CommonOptions.MeasuredOutput();

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() throws IOException {
    List<TrainConfig> recipes = new ArrayList<>();
    if (only == null) {
      recipes.addAll(List.of(TrainConfig.FAST, TrainConfig.DEFAULT, TrainConfig.BEST));
    } else {
      for (String name : only) {
        recipes.add(TrainConfig.recipe(name));
      }
    }
    PrintWriter print = spec.commandLine().getOut();
    if (from != null) {
      return written(Measurements.writeRecipes(from, output.doc), print);
    }
    Path folder = output.folder("recipes-");
    for (TrainConfig recipe : recipes) {
      print.println(recipe.describeSettings());
    }
    print.printf("Recipes: %d, into %s%n", recipes.size(), folder);
    print.flush();
    Path table =
        Measurements.runRecipes(
            recipes,
            seeds == null ? List.of(TrainConfig.SEED) : seeds,
            folder,
            Data.choose(null, dataOptions.dataDir),
            output.doc,
            o -> {
              print.printf(
                  Locale.ROOT,
                  "%-9s seed %-4d %s (%d)  %.1f s of training%n",
                  o.recipe().recipe(),
                  o.recipe().seed(),
                  o.result().testPercent(),
                  o.result().test().correct(),
                  o.result().record().results().trainSeconds());
              print.flush();
            });
    return written(table, print);
  }

  /** Prints the table written, and where it went. */
  private int written(Path table, PrintWriter print) throws IOException {
    print.println();
    print.print(Files.readString(table));
    print.println("Wrote " + table + (output.doc != null ? " and " + output.doc : ""));
    print.flush();
    return 0;
  }
}
