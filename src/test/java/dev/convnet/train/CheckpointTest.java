package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.cli.Main;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.History;
import dev.convnet.results.Json;
import dev.convnet.run.DataSource;
import dev.convnet.run.RunRecord;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.testing.Configs;
import dev.convnet.testing.Forked;
import dev.convnet.testing.SyntheticData;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.types.TFloat32;

class CheckpointTest {
  @TempDir Path dir;
  private static final Split SMALL = SyntheticData.split(640, 128, 256, 9);
  private static final DataSource GENERATED = DataSource.of(SMALL, "generated");
  private static final TrainConfig NOTEBOOK = TrainConfig.NOTEBOOK.withValidationSize(128);

  /** A fresh run of the notebook's network on the small split, without figures. */
  private static RunResult train(TrainConfig training, Path runDir) {
    return TrainingRun.run(request(training, runDir), GENERATED, line -> {});
  }

  private static TrainingRun.Request request(TrainConfig training, Path runDir) {
    return TrainingRun.Request.fresh(ModelConfig.notebook(), training, runDir).withFigures(false);
  }

  private static RunResult resume(Path runDir, List<String> printed) {
    return TrainingRun.run(
        TrainingRun.Request.resume(runDir).withFigures(false), GENERATED, printed::add);
  }

  private static TrainConfig.Length iterations(long n) {
    return TrainConfig.Length.iterations(n);
  }

  private static List<Variable<TFloat32>> everything(ConvNet net) {
    List<Variable<TFloat32>> all = new ArrayList<>(net.trainableVariables);
    all.addAll(net.adam.slots());
    all.add(net.adam.beta1Power());
    all.add(net.adam.beta2Power());
    return all;
  }

  @Test
  void restoreGivesBackEveryVariableAdamsStateIncluded() {
    ModelConfig config = ModelConfig.notebook();
    try (ConvNet trained = new ConvNet(config, 1);
        ConvNet fresh = new ConvNet(config, 99)) {
      trained.initialize();
      Trainer trainer = new Trainer(trained, SMALL, Configs.constant(32, 1e-3f, 1), line -> {});
      trainer.optimize(30);
      new CheckpointListener(dir, config).save(trainer);
      fresh.initialize();
      Checkpoint.restore(dir, fresh);
      List<Variable<TFloat32>> a = everything(trained);
      List<Variable<TFloat32>> b = everything(fresh);
      assertEquals(8 + 16 + 2, a.size(), "8 variables, their two moments each, two powers");
      for (int i = 0; i < a.size(); i++) {
        assertArrayEquals(trained.valueOf(a.get(i)), fresh.valueOf(b.get(i)), "variable " + i);
      }
      assertEquals(30, Checkpoint.readState(dir).iteration());
    }
  }

  @Test
  void aRunStoppedMidEpochByCtrlCResumesToTheSameEnd() throws Exception {
    Path whole = dir.resolve("whole");
    RunResult uninterrupted = train(NOTEBOOK.withLength(iterations(150)), whole);

    // What Ctrl-C does, at iteration 67: 640 images in batches of 64 make 10 an epoch.
    Path stopped = dir.resolve("stopped");
    StopSwitch stop = new StopSwitch();
    TrainingProgress stopAt67 = ctrlCAt(67, stop);
    TrainingRun.Request request =
        request(NOTEBOOK.withLength(iterations(150)), stopped).withStop(stop);
    assertThrows(StoppedException.class, () -> TrainingRun.run(request, GENERATED, stopAt67));
    assertEquals(67, Checkpoint.readState(stopped).iteration());
    assertFalse(Files.exists(stopped.resolve(RunRecord.FILE_NAME)), "not finished");

    RunResult resumed = resume(stopped, new ArrayList<>());
    assertEquals(150, resumed.iterations());
    try (var a = SavedModelBundle.load(whole.resolve("saved_model").toString(), "serve");
        var b = SavedModelBundle.load(stopped.resolve("saved_model").toString(), "serve")) {
      assertArrayEquals(probabilities(a), probabilities(b), 0f, "bit-identical outputs");
    }
  }

  @Test
  void aRunWithAveragedWeightsResumesToTheSameEndAndExportsTheAverage() throws Exception {
    TrainConfig averaged = NOTEBOOK.withLength(iterations(150)).withAverageDecay(0.9f);
    Path whole = dir.resolve("whole");
    train(averaged, whole);
    Path last = dir.resolve("last");
    train(averaged.withAverageDecay(0f), last);

    Path stopped = dir.resolve("stopped");
    StopSwitch stop = new StopSwitch();
    TrainingProgress stopAt67 = ctrlCAt(67, stop);
    TrainingRun.Request request = request(averaged, stopped).withStop(stop);
    assertThrows(StoppedException.class, () -> TrainingRun.run(request, GENERATED, stopAt67));
    resume(stopped, new ArrayList<>());
    try (var a = SavedModelBundle.load(whole.resolve("saved_model").toString(), "serve");
        var b = SavedModelBundle.load(stopped.resolve("saved_model").toString(), "serve");
        var c = SavedModelBundle.load(last.resolve("saved_model").toString(), "serve")) {
      float[] pa = probabilities(a);
      assertArrayEquals(pa, probabilities(b), 0f, "the average continued from the checkpoint");
      assertFalse(
          java.util.Arrays.equals(pa, probabilities(c)),
          "the export holds the average, not the last");
    }
  }

  /** What Ctrl-C does at {@code iteration}: progress that pulls {@code stop}'s switch there. */
  private static TrainingProgress ctrlCAt(long iteration, StopSwitch stop) {
    return new TrainingProgress() {
      @Override
      public void println(String line) {}

      @Override
      public void step(long at, long planned, double cost, double accuracy) {
        if (at == iteration) {
          stop.request(130);
        }
      }
    };
  }

  private static float[] probabilities(SavedModelBundle bundle) {
    try (var x =
            TFloat32.tensorOf(
                Shape.of(8, 784), DataBuffers.of(SMALL.test().images(ImageSet.range(0, 8))));
        var r = bundle.session().runner().feed("x", x).fetch("y_pred").run()) {
      float[] out = new float[80];
      ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /**
   * state.json and metrics.json written before the number of classes followed the data have no
   * num_classes: they trained on Fashion-MNIST's ten, and are read so.
   */
  @Test
  void filesWrittenBeforeNumClassesAreReadAsTenClasses() throws Exception {
    Path run = dir.resolve("older");
    train(NOTEBOOK.withLength(iterations(20)), run);
    for (Path file :
        List.of(run.resolve(Checkpoint.DIR).resolve("state.json"), run.resolve("metrics.json"))) {
      com.google.gson.JsonObject json =
          Json.GSON.fromJson(Files.readString(file), com.google.gson.JsonObject.class);
      assertEquals(10, json.getAsJsonObject("model").remove("num_classes").getAsInt());
      Files.writeString(file, Json.GSON.toJson(json));
    }
    assertEquals(ModelConfig.notebook(), Checkpoint.readState(run).model());
    assertEquals(ModelConfig.notebook(), RunRecord.read(run).model());
  }

  @Test
  void aCorruptCheckpointIsAOneLineErrorAndChangesNothing() throws Exception {
    Path run = dir.resolve("run");
    train(NOTEBOOK.withLength(iterations(50)), run);
    Path data =
        Files.list(run.resolve(Checkpoint.DIR))
            .filter(p -> p.getFileName().toString().startsWith("variables.data"))
            .findFirst()
            .orElseThrow();
    Files.write(data, new byte[] {1, 2, 3});
    Map<String, FileTime> before = listing(run);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resume(run, new ArrayList<>()));
    assertTrue(e.getMessage().startsWith("cannot restore the checkpoint"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertEquals(before, listing(run), "nothing in the run directory changed");

    Files.writeString(run.resolve(Checkpoint.DIR).resolve("state.json"), "{ not json");
    e = assertThrows(IllegalArgumentException.class, () -> resume(run, new ArrayList<>()));
    assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());

    Path empty = Files.createDirectories(dir.resolve("empty"));
    e = assertThrows(IllegalArgumentException.class, () -> resume(empty, new ArrayList<>()));
    assertTrue(e.getMessage().contains("has no checkpoint"), e.getMessage());
  }

  @Test
  void aDivergingRunStopsWithAMessageAndKeepsTheLastGoodCheckpoint() {
    Path run = dir.resolve("diverged");
    TrainConfig wild =
        Configs.constant(32, 1e12f, 1)
            .withLength(iterations(400))
            .withValidationSize(128)
            .withCheckpointEvery(1);
    DivergedException e = assertThrows(DivergedException.class, () -> train(wild, run));
    assertTrue(e.getMessage().startsWith("training diverged at iteration "), e.getMessage());
    assertTrue(e.getMessage().contains("the last good checkpoint is in"), e.getMessage());
    assertFalse(Files.exists(run.resolve(RunRecord.FILE_NAME)), "no results from a diverged run");
    long diverged =
        Long.parseLong(
            e.getMessage().replaceAll("^training diverged at iteration (\\d+).*$", "$1"));
    Checkpoint.State state = Checkpoint.readState(run);
    assertTrue(
        state.iteration() < diverged && state.iteration() >= 1,
        state.iteration() + " vs " + diverged);
    try (ConvNet net = new ConvNet(state.model(), 1)) {
      net.initialize();
      Checkpoint.restore(run, net);
      for (Variable<TFloat32> v : net.trainableVariables) {
        for (float f : net.valueOf(v)) {
          assertTrue(Float.isFinite(f), "the checkpoint holds finite weights");
        }
      }
    }
  }

  @Test
  void theEventFileHoldsTheLoggedValues() throws Exception {
    Path run = dir.resolve("tb");
    RunResult result =
        train(TrainConfig.DEFAULT.withLength(iterations(250)).withValidationSize(128), run);
    Map<String, TreeMap<Long, Float>> scalars =
        readScalars(run.resolve(TrainingRun.TENSORBOARD_DIR));
    for (History.Step step : result.history().steps()) {
      assertEquals((float) step.cost(), scalars.get("loss").get(step.iteration()), 0f);
      assertEquals(
          (float) step.trainAccuracy(), scalars.get("accuracy/train").get(step.iteration()), 0f);
    }
    assertEquals(3, scalars.get("loss").size());
    for (History.EpochEnd end : result.history().epochs()) {
      assertEquals(
          (float) end.validationAccuracy(),
          scalars.get("accuracy/validation").get(end.iteration()),
          0f);
    }
    assertEquals(result.history().epochs().size(), scalars.get("accuracy/validation").size());
  }

  /** Reads TFRecord-framed Event protos: length, its CRC, the event, its CRC. */
  static Map<String, TreeMap<Long, Float>> readScalars(Path folder) throws Exception {
    Map<String, TreeMap<Long, Float>> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file :
          files
              .filter(p -> p.getFileName().toString().startsWith("events.out.tfevents"))
              .toList()) {
        try (InputStream raw = Files.newInputStream(file);
            DataInputStream in = new DataInputStream(raw)) {
          while (true) {
            byte[] header = new byte[12];
            try {
              in.readFully(header);
            } catch (EOFException end) {
              break;
            }
            long length = ByteBuffer.wrap(header, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] body = new byte[(int) length];
            in.readFully(body);
            in.readFully(new byte[4]);
            Event event = Event.parseFrom(body);
            for (Summary.Value v : event.getSummary().getValueList()) {
              float value = v.hasTensor() ? v.getTensor().getFloatVal(0) : v.getSimpleValue();
              out.computeIfAbsent(v.getTag(), t -> new TreeMap<>()).put(event.getStep(), value);
            }
          }
        }
      }
    }
    return out;
  }

  @Test
  @Tag("realdata")
  void aRunKilledMidTrainingResumesAndItsIterationCountContinues() throws Exception {
    Path run = dir.resolve("killed");
    Process p =
        Forked.java(
                Main.class,
                "train",
                "--iterations",
                "1500",
                "--checkpoint-every",
                "200",
                "--no-figures",
                "--no-progress",
                "--run-dir",
                run.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    Path state = run.resolve(Checkpoint.DIR).resolve("state.json");
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!Files.exists(state) && System.nanoTime() < deadline && p.isAlive()) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(state), "a checkpoint appeared");
    p.destroyForcibly(); // SIGKILL
    p.waitFor();
    long at = Checkpoint.readState(run).iteration();
    assertTrue(at >= 200 && at < 1500 && at % 200 == 0, "checkpoint at " + at);
    List<String> printed = new ArrayList<>();
    RunResult resumed =
        TrainingRun.run(
            TrainingRun.Request.resume(run).withFigures(false).withDevice(Device.AUTO),
            DataSource.fashionMnist(null),
            printed::add);
    assertEquals(1500, resumed.iterations());
    assertTrue(
        printed.stream()
            .anyMatch(l -> l.startsWith("Resuming from the checkpoint at iteration " + at)),
        printed.toString());
    String next = String.format("Optimization Iteration: %6d,", (at / 100) * 100 + 1);
    assertTrue(printed.stream().anyMatch(l -> l.startsWith(next)), "continues at " + next);
    assertEquals(1500, RunRecord.read(run).results().iterations());
    assertEquals(
        1, resumed.history().steps().get(0).iteration(), "history from before the kill is kept");
    assertTrue(resumed.testAccuracy() > 0.85, "accuracy " + resumed.testAccuracy());
  }

  private static Map<String, FileTime> listing(Path root) throws Exception {
    Map<String, FileTime> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        out.put(root.relativize(p).toString(), Files.getLastModifiedTime(p));
      }
    }
    return out;
  }
}
