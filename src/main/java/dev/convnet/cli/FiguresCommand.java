package dev.convnet.cli;

import dev.convnet.api.Runs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet figures}: (re)draws a run's figures and report from its SavedModel and record. */
@Command(
    name = "figures",
    mixinStandardHelpOptions = true,
    description =
        "Draw a finished run's figures (figures/*.png) and report.html again, from its saved_model"
            + " and metrics.json.")
final class FiguresCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      required = true,
      description = "A run directory written by 'convnet train'.")
  Path runDir;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    Runs.Redrawn redrawn =
        Runs.redraw(runDir, dataOptions.dataDir, ReadingProgress.to(System.out, true));
    PrintWriter out = spec.commandLine().getOut();
    out.println(redrawn.test().accuracyLine("Test-Set"));
    out.println(redrawn.drawn());
    out.flush();
    return 0;
  }
}
