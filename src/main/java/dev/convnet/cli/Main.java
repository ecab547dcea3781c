package dev.convnet.cli;

import dev.convnet.common.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code convnet} command line: one subcommand per job. */
@Command(
    name = "convnet",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "The \"Convolutional Neural Network\" TensorFlow tutorial on Fashion-MNIST, in TensorFlow"
            + " Java.",
    subcommands = {
      DataCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      PredictCommand.class,
      ServeCommand.class,
      FiguresCommand.class,
      BenchCommand.class,
      ExercisesCommand.class,
      RecipesCommand.class,
      DownloadCommand.class,
      HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    try {
      return commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      // Never a trace: what to lower, and how to raise the heap.
      System.err.println(
          "convnet: error: out of memory (Java heap "
              + (Runtime.getRuntime().maxMemory() >> 20)
              + " MB); lower --batch-size or pass fewer or smaller files, or raise the heap with"
              + " CONVNET_JAVA_OPTS=-Xmx4g");
      return 1;
    }
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(Main::oneLineError);
    cl.setParameterExceptionHandler(Main::badUsage);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Expected failures (bad data, bad values, refused folders) become one line and exit code 1. */
  private static int oneLineError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    boolean verbose = parsed.hasMatchedOption("--verbose");
    String message =
        e instanceof InvalidSettingException invalid
            ? invalid.render(FlagNames.of(cl.getCommandSpec()))
            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    err.println("convnet: error: " + message.lines().findFirst().orElse(""));
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println(
        "convnet: "
            + e.getMessage()
            + " (see '"
            + cl.getCommandSpec().qualifiedName()
            + " --help')");
    err.flush();
    return 2;
  }

  /** The version Maven stamped into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("/dev/convnet/version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {
        "convnet-java " + p.getProperty("version", "unknown") + " (TensorFlow Java 1.1.0)"
      };
    }
  }
}
