package dev.convnet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One load level driven by wrk (the HTTP load tool, Debian's {@code wrk}) in its own process: it
 * keeps {@code clients} connections busy with the same POST, and a Lua script prints the figures
 * the serve benchmark reads (answered requests, the window, p50 and p99). Any answer but 200 fails
 * the measurement.
 */
final class WrkLoad {
  /** wrk's threads: at most one a core of these 2-core machines, and no more than connections. */
  private static final int MAX_THREADS = 2;

  /**
   * Sends the body from a file; prints one line "convnet requests seconds p50_us p99_us errors".
   */
  private static final String SCRIPT =
      """
      wrk.method = "POST"
      wrk.headers["Content-Type"] = "application/json"
      local f = assert(io.open(os.getenv("CONVNET_WRK_BODY"), "rb"))
      wrk.body = f:read("*a")
      f:close()
      done = function(summary, latency, requests)
        local e = summary.errors
        io.write(string.format("convnet %d %.6f %d %d %d\\n", summary.requests,
          summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
          e.connect + e.read + e.write + e.timeout + e.status))
      end
      """;

  private WrkLoad() {}

  /**
   * {@code clients} connections posting {@code body}: {@code warmup} s unmeasured, then one window.
   */
  static ServeBenchmark.Load run(
      String url, String body, int clients, double warmup, double window) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("convnet-wrk");
      Path script = Files.writeString(dir.resolve("post.lua"), SCRIPT);
      Path bodyFile = Files.writeString(dir.resolve("body.json"), body, StandardCharsets.UTF_8);
      if (warmup > 0) {
        wrk(url, script, bodyFile, clients, warmup);
      }
      return window > 0 ? wrk(url, script, bodyFile, clients, window) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) {
        dev.convnet.data.FileTrees.delete(dir);
      }
    }
  }

  private static ServeBenchmark.Load wrk(
      String url, Path script, Path body, int clients, double seconds) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("wrk");
    command.add("-t" + Math.min(MAX_THREADS, clients));
    command.add("-c" + clients);
    command.add("-d" + Math.max(1, Math.round(seconds)) + "s");
    command.add("-s");
    command.add(script.toString());
    command.add(url);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("CONVNET_WRK_BODY", body.toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "--client wrk needs wrk on the PATH (Debian: apt-get install wrk): " + e.getMessage());
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(Math.round(seconds) + 60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("wrk did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while wrk ran", e);
    }
    return figures(output);
  }

  /** The figures of wrk's {@code output}, from the script's line; fails on any failed request. */
  static ServeBenchmark.Load figures(String output) {
    for (String line : output.split("\n")) {
      if (line.startsWith("convnet ")) {
        String[] f = line.trim().split(" ");
        long requests = Long.parseLong(f[1]);
        double window = Double.parseDouble(f[2]);
        long errors = Long.parseLong(f[5]);
        if (errors > 0) {
          throw new IllegalStateException(
              String.format(Locale.ROOT, "wrk saw %d failed of %d requests", errors, requests));
        }
        return new ServeBenchmark.Load(
            requests / window, Double.parseDouble(f[3]) / 1e3, Double.parseDouble(f[4]) / 1e3);
      }
    }
    throw new IllegalStateException("wrk printed no figures: " + output.strip());
  }
}
