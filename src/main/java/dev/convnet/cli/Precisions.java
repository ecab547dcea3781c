package dev.convnet.cli;

import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig.Precision;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --precision}: oneDNN reads {@code ONEDNN_DEFAULT_FPMATH_MODE} once, when TensorFlow
 * starts, so the launcher sets it and this class checks that the process got what was asked.
 */
final class Precisions {
  /** The variable oneDNN reads; BF16 lets it compute f32 convolutions and matmuls in bf16. */
  static final String FPMATH_ENV = "ONEDNN_DEFAULT_FPMATH_MODE";

  /** What a user may ask for: a precision, or auto (what bench measured faster for the job). */
  enum Choice {
    FP32,
    BF16,
    AUTO;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a command computes, each measured apart: training, evaluation, serving. */
  enum Job {
    TRAINING,
    EVALUATION,
    SERVING;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The measured choices {@code --precision auto} takes, by CPU kind and job: written by {@code
   * scripts/bench --precisions --doc}, read by the launcher too (which must set oneDNN's math mode
   * before TensorFlow starts).
   */
  static final String CHOICES_PROPERTY = "convnet.precisionChoices";

  private static final Path CHOICES = Path.of("scripts", "precision-choices.tsv");

  private Precisions() {}

  /** "amx" or "no-amx": the CPU kinds whose bf16 speed differs, as measured. */
  static String cpuKind(Map<String, Boolean> features) {
    return Machine.Cpu.hasAmx(features) ? "amx" : "no-amx";
  }

  /** What auto means for {@code job} on a CPU of {@code kind}, by the measured choices. */
  static Precision measured(String kind, Job job) {
    Path file = Path.of(System.getProperty(CHOICES_PROPERTY, CHOICES.toString()));
    try {
      for (String line : Files.readAllLines(file)) {
        String[] cells = line.split("\t");
        if (!line.startsWith("#")
            && cells.length >= 3
            && cells[0].equals(kind)
            && cells[1].equals(job.toString())) {
          return Precision.valueOf(cells[2].trim().toUpperCase(Locale.ROOT));
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // no measurement to go by: the exact default
    }
    return Precision.FP32;
  }

  /** The precision {@code choice} means on this CPU, refused in one line if it cannot run. */
  static Precision resolve(Choice choice, Job job, PrintWriter err) {
    return resolve(
        choice, job, Machine.cpuFeatures(), System.getenv().getOrDefault(FPMATH_ENV, ""), err);
  }

  /** {@link #resolve(Choice, Job, PrintWriter)} for given CPU features and math mode. */
  static Precision resolve(
      Choice choice, Job job, Map<String, Boolean> features, String fpmathMode, PrintWriter err) {
    boolean amx = Machine.Cpu.hasAmx(features);
    boolean bf16Units = Machine.Cpu.hasBf16(features);
    Precision precision =
        switch (choice) {
          case FP32 -> Precision.FP32;
          case BF16 -> Precision.BF16;
          case AUTO -> bf16Units ? measured(cpuKind(features), job) : Precision.FP32;
        };
    if (choice == Choice.AUTO) {
      err.println(
          "convnet: --precision auto: "
              + precision.flag()
              + " for "
              + job
              + " on this CPU ("
              + cpuKind(features)
              + ", as measured: docs/performance.md#precision-by-job)");
      err.flush();
    }
    require(precision, bf16Units, fpmathMode);
    if (choice == Choice.BF16 && !amx) {
      err.println(
          "convnet: note: bf16 measured slower than fp32 on a CPU without AMX, as this one is;"
              + " --precision auto picks the faster one");
      err.flush();
    }
    return precision;
  }

  /** Refuses {@code asked} in one line when a CPU with or without bf16 units cannot give it. */
  static void require(Precision asked, boolean cpuHasBf16, String fpmathMode) {
    boolean bf16Mode = "BF16".equalsIgnoreCase(fpmathMode);
    if (asked == Precision.BF16) {
      if (!cpuHasBf16) {
        throw new IllegalArgumentException(
            "--precision bf16: this CPU has no bf16 units (avx512_bf16 or amx_bf16); use --precision"
                + " fp32");
      }
      if (!bf16Mode) {
        throw new IllegalArgumentException(
            "--precision bf16 must be chosen before TensorFlow starts: run through scripts/convnet,"
                + " or set "
                + FPMATH_ENV
                + "=BF16");
      }
    } else if (bf16Mode) {
      throw new IllegalArgumentException(
          FPMATH_ENV + "=BF16 is set, so fp32 cannot be exact; unset it or add --precision bf16");
    }
  }

  /** Whether the CPU has bf16 arithmetic units. */
  static boolean cpuHasBf16() {
    return Machine.Cpu.hasBf16(Machine.cpuFeatures());
  }
}
