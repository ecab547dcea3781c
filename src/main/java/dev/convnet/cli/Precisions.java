package dev.convnet.cli;

import dev.convnet.train.TrainConfig.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code --precision}: oneDNN reads {@code ONEDNN_DEFAULT_FPMATH_MODE} once, when TensorFlow
 * starts, so the launcher sets it and this class checks that the process got what was asked.
 */
final class Precisions {
  /** The variable oneDNN reads; BF16 lets it compute f32 convolutions and matmuls in bf16. */
  static final String FPMATH_ENV = "ONEDNN_DEFAULT_FPMATH_MODE";

  /** CPU flags of bf16 arithmetic (Linux /proc/cpuinfo names). */
  private static final String[] BF16_FLAGS = {"avx512_bf16", "amx_bf16"};

  private Precisions() {}

  /** Refuses {@code asked} in one line when this CPU or this process cannot give it. */
  static void require(Precision asked) {
    require(asked, cpuHasBf16(), System.getenv().getOrDefault(FPMATH_ENV, ""));
  }

  /** {@link #require(Precision)} for a CPU with or without bf16 units and a given math mode. */
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

  /** Whether the CPU lists a bf16 flag (false where there is no /proc/cpuinfo). */
  static boolean cpuHasBf16() {
    try {
      String info = Files.readString(Path.of("/proc/cpuinfo")).toLowerCase(Locale.ROOT);
      for (String flag : BF16_FLAGS) {
        if (info.contains(" " + flag)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
