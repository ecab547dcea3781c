package dev.convnet.cli;

import static dev.convnet.run.Exercises.QUICK_ITERATIONS;

import dev.convnet.api.Data;
import dev.convnet.api.Measurements;
import dev.convnet.run.Exercises;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
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
          + QUICK_ITERATIONS
          + " iterations (a few minutes).",
      "--doc docs/exercises.md writes the table into that page's block exercises-table and the"
          + " chart beside the page."
    })
final class ExercisesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "Short runs: a few minutes in all.")
  boolean quick;

  @Option(
      names = "--only",
      paramLabel = "N",
      split = ",",
      description = "Run only these exercises, such as --only 6,8.")
  List<Integer> only;

  @Mixin CommonOptions.MeasuredOutput output = new CommonOptions.MeasuredOutput();

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() throws IOException {
    List<Exercises.Experiment> experiments =
        Measurements.exercises(quick).stream()
            .filter(e -> only == null || only.contains(e.exercise()))
            .toList();
    if (experiments.isEmpty()) {
      throw new IllegalArgumentException(
          "--only " + only + " names no exercise (they run from 1 to 11)");
    }
    Path folder = output.folder("exercises-");
    PrintWriter print = spec.commandLine().getOut();
    print.printf(
        "Exercises: %d experiments%s, into %s%n",
        experiments.size(),
        quick ? " of " + QUICK_ITERATIONS + " iterations" : " of the default recipe's length",
        folder);
    print.flush();
    UnaryOperator<String> flags =
        FlagNames.of(spec.root().subcommands().get("train").getCommandSpec());
    List<Path> written =
        Measurements.runExercises(
            experiments,
            folder,
            Data.choose(null, dataOptions.dataDir),
            flags,
            output.doc,
            o -> {
              String changes = o.experiment().describe(flags);
              print.printf(
                  Locale.ROOT,
                  "Exercise %2d  %-48s %s (%d)  %4.0f s  %,9d parameters%n",
                  o.experiment().exercise(),
                  changes.isEmpty() ? "(default recipe)" : changes,
                  o.result().testPercent(),
                  o.result().test().correct(),
                  o.trainSeconds(),
                  o.parameters());
              print.flush();
            });
    print.println();
    print.print(Files.readString(written.get(0)));
    print.println(
        "Wrote " + written.stream().map(Path::toString).collect(Collectors.joining(", ")));
    print.flush();
    return 0;
  }
}
