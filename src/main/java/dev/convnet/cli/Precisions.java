package dev.convnet.cli;

import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig.Precision;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --precision}: oneDNN reads {@code ONEDNN_DEFAULT_FPMATH_MODE} once, when TensorFlow
 * starts, so the launcher sets it and this class checks that the process got what was asked.
 */
final class Precisions {
  /** The variable oneDNN reads; BF16 lets it compute f32 convolutions and matmuls in bf16. */
  static final String FPMATH_ENV = "ONEDNN_DEFAULT_FPMATH_MODE";

  /** What a user may ask for: a precision, or auto (bf16 where the CPU has AMX, else fp32). */
  enum Choice {
    FP32,
    BF16,
    AUTO;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private Precisions() {}

  /** The precision {@code choice} means on this CPU, refused in one line if it cannot run. */
  static Precision resolve(Choice choice, PrintWriter err) {
    return resolve(
        choice, Machine.cpuFeatures(), System.getenv().getOrDefault(FPMATH_ENV, ""), err);
  }

  /** {@link #resolve(Choice, PrintWriter)} for given CPU features and math mode. */
  static Precision resolve(
      Choice choice, Map<String, Boolean> features, String fpmathMode, PrintWriter err) {
    boolean amx = Machine.Cpu.hasAmx(features);
    boolean bf16Units = Machine.Cpu.hasBf16(features);
    Precision precision =
        switch (choice) {
          case FP32 -> Precision.FP32;
          case BF16 -> Precision.BF16;
          case AUTO -> amx ? Precision.BF16 : Precision.FP32; // faster only with AMX, as measured
        };
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
