package dev.convnet.api;

import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The arithmetic precision of a job: oneDNN reads {@code ONEDNN_DEFAULT_FPMATH_MODE} once, when
 * TensorFlow starts, so the launcher sets it and this class checks that the process got what was
 * asked.
 */
public final class Precisions {
  /** The variable oneDNN reads; BF16 lets it compute f32 convolutions and matmuls in bf16. */
  static final String FPMATH_ENV = "ONEDNN_DEFAULT_FPMATH_MODE";

  /** What a user may ask for: a precision, or auto (what bench measured faster for the job). */
  public enum Choice {
    /** Exact, reproducible float32. */
    FP32,
    /** oneDNN computes convolutions and matrix products in bfloat16. */
    BF16,
    /** What {@code bench} measured faster for the job on this kind of CPU. */
    AUTO;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a command computes, each measured apart: training, evaluation, serving. */
  public enum Job {
    /** {@code train}. */
    TRAINING,
    /** {@code evaluate}. */
    EVALUATION,
    /** {@code serve}. */
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

  /** The measured choices as the build packs them (a copy of scripts/precision-choices.tsv). */
  static final String CHOICES_RESOURCE = "/dev/convnet/precision-choices.tsv";

  private Precisions() {}

  /** "amx" or "no-amx": the CPU kinds whose bf16 speed differs, as measured. */
  static String cpuKind(Map<String, Boolean> features) {
    return Machine.Cpu.hasAmx(features) ? "amx" : "no-amx";
  }

  /**
   * What auto means for {@code job} on a CPU of {@code kind}, by the measured choices: the file
   * {@code convnet.precisionChoices} names (the launcher names the checkout's), else the copy in
   * the jar.
   *
   * @throws IllegalStateException naming the file when the choices cannot be read
   */
  static Precision measured(String kind, Job job) {
    String file = System.getProperty(CHOICES_PROPERTY);
    List<String> lines;
    try {
      if (file != null) {
        lines = Files.readAllLines(Path.of(file));
      } else {
        file = CHOICES_RESOURCE;
        try (InputStream in = Precisions.class.getResourceAsStream(CHOICES_RESOURCE)) {
          if (in == null) {
            throw new IOException("not in the jar");
          }
          lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "--precision auto: the measured choices cannot be read from "
              + file
              + " ("
              + e.getMessage()
              + ")");
    }
    for (String line : lines) {
      String[] cells = line.split("\t");
      if (!line.startsWith("#")
          && cells.length >= 3
          && cells[0].equals(kind)
          && cells[1].equals(job.toString())) {
        try {
          return Precision.valueOf(cells[2].trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(
              "--precision auto: " + file + " names no precision in '" + line + "'");
        }
      }
    }
    return Precision.FP32; // not measured for this kind and job: the exact default
  }

  /**
   * The precision {@code choice} means for {@code job} on this CPU; a note about the choice goes to
   * {@code err}.
   *
   * @throws IllegalArgumentException in one line when this CPU or process cannot give it
   */
  public static Precision resolve(Choice choice, Job job, PrintWriter err) {
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
          "convnet: note: bf16 measured no faster than fp32 on a CPU without AMX, as this one is;"
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

  /** Refuses {@code asked} in one line when this CPU or process cannot give it. */
  static void require(Precision asked) {
    require(
        asked,
        Machine.Cpu.hasBf16(Machine.cpuFeatures()),
        System.getenv().getOrDefault(FPMATH_ENV, ""));
  }
}
