package dev.convnet.cli;

import dev.convnet.model.ModelConfig;
import picocli.CommandLine;

/** Lets tests outside this package build the command line with its error handlers. */
public final class MainAccess {
  private MainAccess() {}

  public static CommandLine commandLine() {
    return Main.commandLine();
  }

  /** The network {@code train FLAGS} builds, as its command line parses the flags. */
  public static ModelConfig trainNetwork(String flags) {
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(("train " + flags).split(" +"));
    TrainCommand train = (TrainCommand) parsed.subcommand().commandSpec().userObject();
    return TrainOptions.model(train.network, train.variants);
  }
}
