package dev.convnet.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tensorflow.TensorFlow;

/**
 * The machine a figure was measured on: a speed figure holds for its CPU only, so every measured
 * table and benchmark names it.
 *
 * @param cpu the CPU: model, cores, features
 * @param onednn whether TensorFlow's oneDNN path is on (it is unless TF_ENABLE_ONEDNN_OPTS=0)
 * @param tensorflow TensorFlow's version
 * @param javaVersion the Java runtime's version
 * @param commit the project's git commit, or "unknown" outside a checkout
 * @param date the day of the measurement
 */
public record Machine(
    Cpu cpu, boolean onednn, String tensorflow, String javaVersion, String commit, String date) {

  /**
   * The CPU.
   *
   * @param model its model name, as /proc/cpuinfo gives it
   * @param cores the processors this JVM may use
   * @param features which of the instruction sets that matter here it has
   */
  public record Cpu(String model, int cores, Map<String, Boolean> features) {
    /** Whether {@code features} include AMX bf16 tiles (where bf16 measured faster than fp32). */
    public static boolean hasAmx(Map<String, Boolean> features) {
      return features.getOrDefault("amx_bf16", false);
    }

    /**
     * The kind of CPU a speed figure holds for, as the docs' blocks are named: "amd", "intel" or
     * the model's first letters, and "-amx" with AMX (scripts/bench-table's slug).
     */
    public String kind() {
      String lower = model.toLowerCase(java.util.Locale.ROOT);
      String vendor =
          lower.contains("amd")
              ? "amd"
              : lower.contains("intel")
                  ? "intel"
                  : lower
                      .replaceAll("[^a-z0-9]+", "-")
                      .substring(0, Math.min(20, lower.replaceAll("[^a-z0-9]+", "-").length()));
      return vendor + (hasAmx(features) ? "-amx" : "");
    }

    /** Whether {@code features} include bf16 arithmetic of any kind. */
    public static boolean hasBf16(Map<String, Boolean> features) {
      return hasAmx(features) || features.getOrDefault("avx512_bf16", false);
    }
  }

  /** CPU flags that change which kernels TensorFlow, oneDNN and the peers run. */
  public static final List<String> FEATURES = List.of("avx2", "avx512f", "avx512_bf16", "amx_bf16");

  /** The machine this process runs on. */
  public static Machine current() {
    String info = cpuInfo();
    return new Machine(
        new Cpu(cpuModel(info), Runtime.getRuntime().availableProcessors(), features(info)),
        !"0".equals(System.getenv("TF_ENABLE_ONEDNN_OPTS")),
        TensorFlow.version(),
        System.getProperty("java.version"),
        gitCommit(),
        LocalDate.now().toString());
  }

  /** The {@link #FEATURES} this CPU has, without the rest of {@link #current()}. */
  public static Map<String, Boolean> cpuFeatures() {
    return features(cpuInfo());
  }

  /** One line for the top of a measured table: command, date, CPU, cores, commit. */
  public String stamp(String command) {
    List<String> present = new ArrayList<>();
    cpu.features().forEach((f, on) -> present.add(on ? f : "no " + f));
    return String.format(
        Locale.ROOT,
        "Measured by `%s` on %s: %s, %d cores (%s), TensorFlow %s%s, Java %s, commit %s.",
        command,
        date,
        cpu.model(),
        cpu.cores(),
        String.join(", ", present),
        tensorflow,
        onednn ? " with oneDNN" : " without oneDNN",
        javaVersion,
        commit);
  }

  static String cpuModel(String cpuInfo) {
    for (String line : cpuInfo.split("\n")) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).trim();
      }
    }
    return System.getProperty("os.arch");
  }

  static Map<String, Boolean> features(String cpuInfo) {
    String flags = "";
    for (String line : cpuInfo.split("\n")) {
      if (line.startsWith("flags")) {
        flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
        break;
      }
    }
    Map<String, Boolean> present = new LinkedHashMap<>();
    for (String f : FEATURES) {
      present.put(f, flags.contains(" " + f + " "));
    }
    return present;
  }

  private static String cpuInfo() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException e) {
      return ""; // not Linux: the model falls back to the architecture, no features
    }
  }

  private static String gitCommit() {
    try {
      Process p =
          new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
        return out;
      }
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown";
  }
}
