package dev.convnet.cli;

import dev.convnet.results.DocBlock;
import dev.convnet.results.Formats;
import dev.convnet.run.DataSource;
import dev.convnet.run.Exercises;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
          + Exercises.QUICK_ITERATIONS
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

  /** The block of a docs page that {@code --doc} replaces. */
  static final String DOC_BLOCK = "exercises-table";

  @Mixin CommonOptions.MeasuredOutput output = new CommonOptions.MeasuredOutput();

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
    output.check();
    Path folder = output.folder("exercises-");
    PrintWriter print = spec.commandLine().getOut();
    print.printf(
        "Exercises: %d experiments%s, into %s%n",
        experiments.size(),
        quick
            ? " of " + Exercises.QUICK_ITERATIONS + " iterations"
            : " of the default recipe's length",
        folder);
    print.flush();
    UnaryOperator<String> flags =
        FlagNames.of(spec.root().subcommands().get("train").getCommandSpec());
    List<Exercises.Outcome> outcomes =
        Exercises.run(
            experiments,
            folder,
            DataSource.fashionMnist(dataOptions.dataDir),
            o -> {
              String changes = o.experiment().describe(flags);
              print.printf(
                  Locale.ROOT,
                  "Exercise %2d  %-48s %s (%d)  %4.0f s  %,9d parameters%n",
                  o.experiment().exercise(),
                  changes.isEmpty() ? "(default recipe)" : changes,
                  Formats.percent(o.testAccuracy()),
                  o.result().test().correct(),
                  o.trainSeconds(),
                  o.parameters());
              print.flush();
            });
    List<Path> written = Exercises.write(folder, outcomes, flags);
    String table = Files.readString(written.get(0));
    print.println();
    print.print(table);
    if (output.doc != null) {
      DocBlock.replace(output.doc, DOC_BLOCK, table);
      for (Path chart : written.subList(1, written.size())) {
        Files.copy(
            chart,
            output.doc.resolveSibling(chart.getFileName()),
            StandardCopyOption.REPLACE_EXISTING);
      }
      written = new ArrayList<>(written);
      written.add(output.doc);
    }
    print.println(
        "Wrote " + written.stream().map(Path::toString).collect(Collectors.joining(", ")));
    print.flush();
    return 0;
  }
}
