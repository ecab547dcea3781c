package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.train.TrainConfig.Precision;
import org.junit.jupiter.api.Test;

/** --precision: refused in one line where the CPU or the process cannot give what was asked. */
class PrecisionsTest {
  @Test
  void bf16OnACpuWithoutBf16UnitsSaysSo() {
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> Precisions.require(Precision.BF16, false, "BF16"))
            .getMessage();
    assertTrue(m.startsWith("--precision bf16: this CPU has no bf16 units"), m);
  }

  @Test
  void bf16MustBeSetBeforeTensorFlowStarts() {
    String m =
        assertThrows(
                IllegalArgumentException.class, () -> Precisions.require(Precision.BF16, true, ""))
            .getMessage();
    assertTrue(
        m.contains("run through scripts/convnet, or set ONEDNN_DEFAULT_FPMATH_MODE=BF16"), m);
    Precisions.require(Precision.BF16, true, "BF16");
  }

  @Test
  void fp32IsRefusedWhenTheProcessComputesInBf16() {
    String m =
        assertThrows(
                IllegalArgumentException.class,
                () -> Precisions.require(Precision.FP32, true, "BF16"))
            .getMessage();
    assertTrue(m.contains("fp32 cannot be exact"), m);
    Precisions.require(Precision.FP32, true, "");
    Precisions.require(Precision.FP32, false, "");
  }
}
