package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.train.TrainConfig.Precision;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
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

  private static final Map<String, Boolean> AMX = Map.of("avx512_bf16", true, "amx_bf16", true);
  private static final Map<String, Boolean> AVX512_BF16_ONLY =
      Map.of("avx512_bf16", true, "amx_bf16", false);

  @Test
  void autoIsBf16WithAmxAndFp32Without() {
    StringWriter err = new StringWriter();
    assertEquals(
        Precision.BF16,
        Precisions.resolve(Precisions.Choice.AUTO, AMX, "BF16", new PrintWriter(err)));
    assertEquals(
        Precision.FP32,
        Precisions.resolve(Precisions.Choice.AUTO, AVX512_BF16_ONLY, "", new PrintWriter(err)));
    assertEquals("", err.toString(), "auto says nothing");
  }

  @Test
  void bf16WithoutAmxRunsButSaysOnceThatItMeasuredSlower() {
    StringWriter err = new StringWriter();
    assertEquals(
        Precision.BF16,
        Precisions.resolve(Precisions.Choice.BF16, AVX512_BF16_ONLY, "BF16", new PrintWriter(err)));
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().contains("slower"), err.toString());
    StringWriter quiet = new StringWriter();
    Precisions.resolve(Precisions.Choice.BF16, AMX, "BF16", new PrintWriter(quiet));
    assertEquals("", quiet.toString(), "with AMX bf16 is the faster one");
  }
}
