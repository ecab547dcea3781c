package dev.convnet.cli;

import dev.convnet.results.Formats;
import dev.convnet.run.DataSource;
import dev.convnet.run.Exercises;
import dev.convnet.run.RunDirectory;
import dev.convnet.viz.ExerciseChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet exercises}: the tutorial's exercises, each run and measured. */
@Command(
    name = "exercises",
    mixinStandardHelpOptions = true,
    description = {
      "Run the tutorial's exercises as experiments on the real data: each is a set of train flags.",
      "Writes exercises.md (exercise, flags, test accuracy, training time, parameters) and"
          + " exercise8.png (accuracy against parameter count) into --out, and one run folder per"
          + " experiment.",
      "The full pass trains each for the default recipe's 5 epochs (about 40 minutes on 2 cores);"
          + " --quick trains each "
          + Exercises.QUICK_ITERATIONS
          + " iterations (a few minutes)."
    })
final class ExercisesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "Short runs: a few minutes in all.")
  boolean quick;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Where to write (default: runs/exercises-<timestamp>). Must be new or empty unless --force.")
  Path out;

  @Option(names = "--force", description = "Write into an --out folder that already holds files.")
  boolean force;

  @Option(
      names = "--only",
      paramLabel = "N",
      split = ",",
      description = "Run only these exercises, such as --only 6,8.")
  List<Integer> only;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() throws IOException {
    List<Exercises.Experiment> experiments =
        Exercises.all(quick).stream()
            .filter(e -> only == null || only.contains(e.exercise()))
            .toList();
    if (experiments.isEmpty()) {
      throw new IllegalArgumentException(
          "--only " + only + " names no exercise (they run from 1 to 11)");
    }
    if (out != null) {
      RunDirectory.check(out, force);
    }
    Path folder = out != null ? out : RunDirectory.createDefault("exercises-");
    Files.createDirectories(folder);
    PrintWriter print = spec.commandLine().getOut();
    print.printf(
        "Exercises: %d experiments%s, into %s%n",
        experiments.size(),
        quick
            ? " of " + Exercises.QUICK_ITERATIONS + " iterations"
            : " of the default recipe's length",
        folder);
    print.flush();
    List<Exercises.Outcome> outcomes =
        Exercises.run(
            experiments,
            folder,
            DataSource.fashionMnist(dataOptions.dataDir),
            o -> {
              print.printf(
                  Locale.ROOT,
                  "Exercise %2d  %-48s %s (%d)  %4.0f s  %,9d parameters%n",
                  o.experiment().exercise(),
                  o.experiment().flags().isEmpty() ? "(default recipe)" : o.experiment().flags(),
                  Formats.percent(o.testAccuracy()),
                  o.result().test().correct(),
                  o.trainSeconds(),
                  o.parameters());
              print.flush();
            });
    String table = Exercises.table(outcomes);
    Files.writeString(folder.resolve("exercises.md"), table);
    List<ExerciseChart.Point> sweep =
        outcomes.stream()
            .filter(o -> o.experiment().exercise() == 8 || o.experiment().flags().isEmpty())
            .map(
                o ->
                    new ExerciseChart.Point(
                        o.experiment().model().numFilters1()
                            + "/"
                            + o.experiment().model().numFilters2()
                            + "/"
                            + o.experiment().model().fcSize(),
                        o.parameters(),
                        o.testAccuracy()))
            .toList();
    if (sweep.size() > 1) {
      ExerciseChart.write(folder.resolve("exercise8.png"), sweep);
    }
    print.println();
    print.print(table);
    print.println(
        "Wrote "
            + folder.resolve("exercises.md")
            + (sweep.size() > 1 ? " and " + folder.resolve("exercise8.png") : ""));
    print.flush();
    return 0;
  }
}
