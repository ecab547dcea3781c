package dev.convnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convnet.data.Split;
import dev.convnet.testing.Configs;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.Trainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

class DeviceTest {
  @TempDir Path dir;

  @Test
  void gpuWithoutAGpuFailsAtOnceNamingWhatIsMissing() {
    assumeFalse(Device.gpuAvailable(), "this machine has a GPU");
    RuntimeException e = assertThrows(RuntimeException.class, Device.GPU::resolve);
    for (String needed : new String[] {"-Pgpu", "CUDA 12", "cuDNN 9", "driver"}) {
      assertTrue(e.getMessage().contains(needed), e.getMessage());
    }
  }

  @Test
  void theCudaBuildSaysWhatFailedInsteadOfAskingForItself() {
    String cpuBuild = Device.whyNoGpu(false, false, "");
    assertTrue(cpuBuild.contains("needs the CUDA build"), cpuBuild);
    String noDriver = Device.whyNoGpu(true, false, "");
    assertTrue(noDriver.contains("no CUDA driver found"), noDriver);
    assertFalse(noDriver.contains("needs the CUDA build"), noDriver);
    String failed = Device.whyNoGpu(true, true, "cuInit failed: 303");
    assertTrue(failed.contains("cuInit failed: 303") && failed.contains("cuDNN 9"), failed);
  }

  @Test
  void theTrainCommandRefusesGpuBeforeDoingAnything() {
    assumeFalse(Device.gpuAvailable(), "this machine has a GPU");
    Path runDir = dir.resolve("run");
    StringWriter err = new StringWriter();
    var cl = dev.convnet.cli.MainAccess.commandLine();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("train", "--device", "gpu", "--run-dir", runDir.toString());
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("convnet: error: TensorFlow sees no GPU"), err.toString());
    assertEquals(1, err.toString().strip().lines().count());
    assertFalse(Files.exists(runDir), "refused before the run directory or the data were touched");
  }

  @Test
  void autoPicksTheCpuWhenThereIsNoGpuAndTheNetworkRunsThere() {
    assumeFalse(Device.gpuAvailable(), "this machine has a GPU");
    Set<String> devices = devicesOfPooling(Device.AUTO.resolve(), 5);
    assertFalse(devices.isEmpty());
    assertTrue(devices.stream().allMatch(d -> d.contains("CPU:0")), devices.toString());
  }

  @Test
  void aCpuNetworkRunsItsLayersOnTheCpu() {
    Set<String> devices = devicesOfPooling(Device.CPU_NAME, 5);
    assertFalse(devices.isEmpty());
    assertTrue(devices.stream().allMatch(d -> d.contains("CPU:0")), devices.toString());
  }

  @Test
  @Tag("gpu")
  void onAGpuTheNetworkTrainsAndItsLayersRunThere() {
    assumeTrue(Device.gpuAvailable(), "no GPU visible to TensorFlow");
    Set<String> devices = devicesOfPooling(Device.GPU_NAME, 300);
    assertTrue(devices.stream().anyMatch(d -> d.contains("GPU:0")), devices.toString());
  }

  /**
   * Trains {@code steps} steps on {@code device}, then traces one forward pass and lists where
   * Conv2D ran.
   */
  private static Set<String> devicesOfPooling(String device, int steps) {
    Split split = SyntheticData.split(640, 64, 128, 2);
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), 1, device, ThreadPolicy.wholeBatch())) {
      net.initialize();
      Trainer trainer = new Trainer(net, split, Configs.constant(64, 1e-3f, 1), line -> {});
      trainer.optimize(steps);
      if (steps >= 300) {
        assertTrue(trainer.evaluate(split.test()).accuracy() > 0.9, "it trains");
      }
      Set<String> devices = new HashSet<>();
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, 784), DataBuffers.of(split.test().image(0)));
          Result r =
              net.session
                  .runner()
                  .feed(net.x, x)
                  .fetch(net.yPredCls)
                  .setOptions(
                      RunOptions.newBuilder()
                          .setTraceLevel(RunOptions.TraceLevel.FULL_TRACE)
                          .build())
                  .runAndFetchMetadata()) {
        for (DeviceStepStats stats :
            r.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
          for (NodeExecStats node : stats.getNodeStatsList()) {
            if (node.getNodeName().startsWith("MaxPool")) {
              devices.add(stats.getDevice());
            }
          }
        }
        assertFalse(
            devices.isEmpty(),
            "MaxPool traced among "
                + r.getMetadata().orElseThrow().getStepStats().getDevStatsList().stream()
                    .flatMap(
                        d ->
                            d.getNodeStatsList().stream()
                                .map(n -> d.getDevice() + ":" + n.getNodeName()))
                    .toList());
      }
      return devices;
    }
  }
}
