package dev.convnet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.train.TrainConfig.Precision;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /**
   * Auto takes, per job, what the measured choices say for this kind of CPU (the file that scripts/
   * bench --precisions --doc writes), fp32 where they say nothing or the CPU has no bf16 units, and
   * says what it took.
   */
  @Test
  void autoTakesTheMeasuredChoiceForTheJobAndSaysWhich(@TempDir Path dir) throws Exception {
    Path choices = dir.resolve("choices.tsv");
    Files.writeString(
        choices, "# cpu-kind\tjob\tprecision\namx\ttraining\tfp32\namx\tevaluation\tbf16\n");
    String before = System.getProperty(Precisions.CHOICES_PROPERTY);
    System.setProperty(Precisions.CHOICES_PROPERTY, choices.toString());
    try {
      StringWriter err = new StringWriter();
      assertEquals(
          Precision.FP32,
          Precisions.resolve(
              Precisions.Choice.AUTO, Precisions.Job.TRAINING, AMX, "", new PrintWriter(err)));
      assertEquals(
          Precision.BF16,
          Precisions.resolve(
              Precisions.Choice.AUTO,
              Precisions.Job.EVALUATION,
              AMX,
              "BF16",
              new PrintWriter(err)));
      assertEquals(
          Precision.FP32,
          Precisions.resolve(
              Precisions.Choice.AUTO, Precisions.Job.SERVING, AMX, "", new PrintWriter(err)),
          "not measured: the exact default");
      assertEquals(
          Precision.FP32,
          Precisions.resolve(
              Precisions.Choice.AUTO,
              Precisions.Job.EVALUATION,
              AVX512_BF16_ONLY,
              "",
              new PrintWriter(err)),
          "another kind of CPU, another row");
      assertEquals(
          Precision.FP32,
          Precisions.resolve(
              Precisions.Choice.AUTO,
              Precisions.Job.EVALUATION,
              Map.of("avx512_bf16", false, "amx_bf16", false),
              "",
              new PrintWriter(err)),
          "no bf16 units at all");
      assertTrue(
          err.toString().contains("--precision auto: bf16 for evaluation on this CPU (amx"),
          err.toString());
      assertEquals(5, err.toString().lines().count(), "one line a choice: " + err);
    } finally {
      if (before == null) {
        System.clearProperty(Precisions.CHOICES_PROPERTY);
      } else {
        System.setProperty(Precisions.CHOICES_PROPERTY, before);
      }
    }
  }

  @Test
  void bf16WithoutAmxRunsButSaysOnceThatItMeasuredNoFaster() {
    StringWriter err = new StringWriter();
    assertEquals(
        Precision.BF16,
        Precisions.resolve(
            Precisions.Choice.BF16,
            Precisions.Job.TRAINING,
            AVX512_BF16_ONLY,
            "BF16",
            new PrintWriter(err)));
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().contains("no faster"), err.toString());
    StringWriter quiet = new StringWriter();
    Precisions.resolve(
        Precisions.Choice.BF16, Precisions.Job.TRAINING, AMX, "BF16", new PrintWriter(quiet));
    assertEquals("", quiet.toString(), "with AMX bf16 is the faster one");
  }

  /** Choices that cannot be read stop auto in one line naming the file, never a silent fp32. */
  @Test
  void unreadableChoicesAreRefusedNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("no-such-choices.tsv");
    String before = System.getProperty(Precisions.CHOICES_PROPERTY);
    System.setProperty(Precisions.CHOICES_PROPERTY, missing.toString());
    try {
      String m =
          assertThrows(
                  IllegalStateException.class,
                  () -> Precisions.measured("amx", Precisions.Job.TRAINING))
              .getMessage();
      assertTrue(m.contains(missing.toString()), m);
      // Without the launcher's property, the copy the build packs into the jar is read.
      System.clearProperty(Precisions.CHOICES_PROPERTY);
      assertEquals(
          Precision.FP32,
          Precisions.measured("no-such-kind", Precisions.Job.TRAINING),
          "a kind nobody measured: the exact default");
    } finally {
      if (before == null) {
        System.clearProperty(Precisions.CHOICES_PROPERTY);
      } else {
        System.setProperty(Precisions.CHOICES_PROPERTY, before);
      }
    }
  }
}
