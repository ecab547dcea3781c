package dev.convnet.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a fresh JVM on the test classpath, as a user's separate process would be. */
public final class Forked {
  private Forked() {}

  public static ProcessBuilder java(Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(false);
  }

  /** Runs to the end and returns stdout; fails the test on a non-zero exit. */
  public static String run(Class<?> mainClass, String... args)
      throws IOException, InterruptedException {
    Process p = java(mainClass, args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes());
    int code = p.waitFor();
    if (code != 0) {
      throw new AssertionError(mainClass.getSimpleName() + " exited with " + code + ": " + out);
    }
    return out;
  }
}
