package dev.convnet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code convnet serve} started as its own process through the launcher ({@code scripts/convnet},
 * which names itself in {@code CONVNET_LAUNCHER}), on a free port, so that what is measured is the
 * command a user runs, with its JVM settings, and its memory is its own.
 */
final class ServeProcess implements AutoCloseable {
  private static final Pattern SERVING = Pattern.compile("at (http://[^ ]+)/$");
  private static final long START_SECONDS = 120;

  private final Process process;
  private final String url;
  private final Path log;

  private ServeProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /**
   * Starts {@code serve} with {@code arguments} (which ask for port 0) through the launcher, and
   * waits until it listens.
   */
  static ServeProcess start(List<String> arguments) {
    String launcher = System.getenv("CONVNET_LAUNCHER");
    if (launcher == null || !Files.isExecutable(Path.of(launcher))) {
      throw new IllegalStateException(
          "bench --serve starts serve through the launcher: run it as scripts/convnet bench"
              + " --serve (or scripts/bench --serve)");
    }
    List<String> command = new ArrayList<>(List.of(launcher, "serve"));
    command.addAll(arguments);
    Path log;
    Process process;
    try {
      log = Files.createTempFile("convnet-bench-serve", ".log");
      process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start serve: " + e.getMessage(), e);
    }
    CompletableFuture<String> listening =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader lines =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  Matcher m = SERVING.matcher(line);
                  if (m.find()) {
                    drain(lines);
                    return m.group(1);
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String url;
    try {
      url = listening.get(START_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      url = null;
    }
    ServeProcess server = new ServeProcess(process, url, log);
    if (url == null) {
      String why = server.logTail();
      server.close();
      throw new IllegalStateException("serve did not start: " + why);
    }
    return server;
  }

  /** Reads the rest of serve's output, so that it never waits on a full pipe. */
  private static void drain(BufferedReader lines) {
    Thread reader =
        new Thread(
            () -> {
              try {
                while (lines.readLine() != null) {
                  // what serve prints after starting is not measured
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "serve-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The base URL it listens at, such as {@code http://127.0.0.1:41234}. */
  String url() {
    return url;
  }

  /** A field of its /proc status (VmRSS, VmHWM) in MB. */
  long megabytes(String field) {
    return ProcStatus.megabytes(process.pid(), field);
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return lines.isEmpty()
          ? "it printed nothing (exit code "
              + (process.isAlive() ? "none yet" : process.exitValue())
              + ")"
          : lines.get(lines.size() - 1);
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** Stops it as Ctrl-C would (SIGTERM: it finishes what is in flight), forcibly after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a temporary file left behind
    }
  }
}
