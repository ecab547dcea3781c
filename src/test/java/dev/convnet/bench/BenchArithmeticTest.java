package dev.convnet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convnet.results.Machine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic, on numbers worked out by hand. */
class BenchArithmeticTest {
  @Test
  void percentilesAreNearestRank() {
    long[] values = {50, 10, 40, 20, 30};
    assertEquals(10, StepWindow.percentile(values, 1));
    assertEquals(30, StepWindow.percentile(values, 50), "rank ceil(2.5) = 3");
    assertEquals(40, StepWindow.percentile(values, 80), "rank 4");
    assertEquals(50, StepWindow.percentile(values, 81), "rank ceil(4.05) = 5");
    assertEquals(50, StepWindow.percentile(values, 100));
    assertThrows(IllegalArgumentException.class, () -> StepWindow.percentile(values, 0));
    assertThrows(IllegalArgumentException.class, () -> StepWindow.percentile(new long[0], 50));
  }

  @Test
  void aWindowCountsImagesOverTheStepsOwnTime() {
    // Four steps of 64 images in 10, 10, 20 and 60 ms: 256 images in 0.1 s.
    StepWindow w = new StepWindow(64, List.of(10_000_000L, 10_000_000L, 20_000_000L, 60_000_000L));
    assertEquals(0.1, w.seconds(), 1e-12);
    assertEquals(2_560, w.imagesPerSecond(), 1e-6);
    assertEquals(10.0, w.percentileMs(50), 1e-12);
    assertEquals(60.0, w.percentileMs(95), 1e-12);
  }

  @Test
  void wrksFiguresComeFromTheScriptsLineAndAFailedRequestFailsThem() {
    // 2,500 requests in 5.0 s, p50 3,200 µs, p99 4,900 µs, among wrk's own lines.
    ServeBenchmark.Load load =
        WrkLoad.figures("Running 5s test @ http://x\nconvnet 2500 5.000000 3200 4900 0\n");
    assertEquals(500, load.requestsPerSecond(), 1e-9);
    assertEquals(3.2, load.p50Ms(), 1e-12);
    assertEquals(4.9, load.p99Ms(), 1e-12);
    IllegalStateException failed =
        assertThrows(
            IllegalStateException.class, () -> WrkLoad.figures("convnet 2500 5.0 3200 4900 3\n"));
    assertTrue(failed.getMessage().contains("3 failed of 2500"), failed.getMessage());
    assertThrows(IllegalStateException.class, () -> WrkLoad.figures("unable to connect\n"));
  }

  @Test
  void theProfileSumsTimeByOpTypeLargestFirstAndDropsNoise() {
    OpProfile p = new OpProfile();
    p.add(OpProfile.opType("conv1/Conv2D = _MklNativeFusedConv2D(x, w)", "conv1/Conv2D"), 600);
    p.add(OpProfile.opType("relu = Relu(conv1/Conv2D)", "relu"), 300);
    p.add(OpProfile.opType("conv2/Conv2D = _MklNativeFusedConv2D(a, b)", "conv2/Conv2D"), 99_000);
    p.add(OpProfile.opType("", "_SOURCE"), 200);
    p.add(OpProfile.opType("", "tiny"), 1);
    Map<String, Double> shares = p.shares();
    assertEquals(List.of("_MklNativeFusedConv2D", "Relu", "_SOURCE"), List.copyOf(shares.keySet()));
    // 99,600, 300 and 200 of 100,101 microseconds.
    assertEquals(0.995, shares.get("_MklNativeFusedConv2D"), 1e-9);
    assertEquals(0.003, shares.get("Relu"), 1e-9);
    assertEquals(0.002, shares.get("_SOURCE"), 1e-9);
    assertFalse(shares.containsKey("tiny"), "under 0.1%");
  }

  @Test
  void memoryFiguresComeFromProcStatusInMegabytes() {
    List<String> status = List.of("Name:\tjava", "VmHWM:\t  614400 kB", "VmRSS:\t  512000 kB");
    assertEquals(600, ProcStatus.megabytes(status, "VmHWM"));
    assertEquals(500, ProcStatus.megabytes(status, "VmRSS"));
    assertEquals(-1, ProcStatus.megabytes(status, "VmSwap"));
  }

  @Test
  void theJsonNamesEveryMeasuredFigureInSnakeCaseAndLeavesOutWhatWasNotMeasured() {
    Machine m =
        new Machine(
            new Machine.Cpu("Test CPU", 2, Map.of("avx2", true, "amx_bf16", false)),
            true,
            "2.18.0",
            "17.0.15",
            "abc1234",
            "2026-12-01");
    BenchResult r = new BenchResult(m, "fp32");
    JsonObject before = r.toJson();
    assertFalse(before.has("train_images_per_second_b64"), "not measured, not written");
    assertFalse(before.has("profile"));
    r.trainImagesPerSecondB64 = 4571L;
    r.stepMsP50 = 13.5;
    JsonObject after = r.toJson();
    // Exactly the two figures set were added, under the names scripts/bench-table reads.
    java.util.Set<String> added = new java.util.TreeSet<>(after.keySet());
    added.removeAll(before.keySet());
    assertEquals(java.util.Set.of("step_ms_p50", "train_images_per_second_b64"), added);
    for (String key : after.keySet()) {
      assertTrue(key.matches("[a-z0-9]+(_[a-z0-9]+)*"), "snake case: " + key);
    }
    // The machine line comes from the Machine, not from fields of its own.
    assertEquals(m.cpu().model(), after.get("cpu_model").getAsString());
    assertEquals(m.cpu().cores(), after.get("cores").getAsInt());
  }
}
