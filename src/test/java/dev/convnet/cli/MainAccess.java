package dev.convnet.cli;

import picocli.CommandLine;

/** Lets tests outside this package build the command line with its error handlers. */
public final class MainAccess {
  private MainAccess() {}

  public static CommandLine commandLine() {
    return Main.commandLine();
  }
}
