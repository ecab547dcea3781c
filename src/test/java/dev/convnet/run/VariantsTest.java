package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.cli.MainAccess;
import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.results.Evaluation;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.Checkpoint;
import dev.convnet.train.StopSwitch;
import dev.convnet.train.StoppedException;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every network the exercises' flags build trains, checkpoints, resumes, exports, draws its
 * figures, and its SavedModel classifies exactly as training measured.
 */
class VariantsTest {
  private static final Split SMALL = SyntheticData.split(640, 128, 256, 21);
  private static final DataSource GENERATED = DataSource.of(SMALL, "generated");

  @TempDir Path dir;

  /** The exercises' flags, as a user types them; the command line turns each into a network. */
  static Stream<String> variants() {
    return Stream.of(
        "--dropout 0.5",
        "--pooling avg",
        "--pooling none",
        "--pooling stride",
        "--pool-first",
        "--activation sigmoid",
        "--conv-layers 3 --fc-layers 2",
        "--relu-last",
        "--filter-size1 3 --num-filters1 4 --filter-size2 3 --num-filters2 8 --fc-size 32");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void trainsResumesExportsAndServesAsTrainingMeasured(String flags) throws Exception {
    ModelConfig model = MainAccess.trainNetwork(flags);
    assertNotEquals(ModelConfig.notebook(), model, flags + " changes the network");
    TrainConfig training =
        TrainConfig.NOTEBOOK
            .withLearningRate(2e-3f)
            .withLength(TrainConfig.Length.iterations(60))
            .withValidationSize(128)
            .withCheckpointEvery(30);
    Path whole = dir.resolve("whole");
    RunResult uninterrupted =
        TrainingRun.run(TrainingRun.Request.fresh(model, training, whole), GENERATED, line -> {});
    assertEquals(
        15, Files.list(whole.resolve(TrainingRun.FIGURES_DIR)).count(), "every figure drawn");
    RunRecord record = RunRecord.read(whole);
    assertEquals(model, record.model(), "the run record stores the full shape");

    try (SavedModelClassifier served =
        SavedModelClassifier.load(whole.resolve(TrainingRun.SAVED_MODEL_DIR))) {
      Evaluation test = served.evaluate(SMALL.test());
      assertArrayEquals(uninterrupted.test().predicted(), test.predicted(), "served as trained");
    }

    // Stopped by Ctrl-C after 30 of the 60 steps (a checkpoint there), resumed: the same end.
    Path halves = dir.resolve("halves");
    StopSwitch stop = new StopSwitch();
    TrainingProgress ctrlCAt30 =
        new TrainingProgress() {
          @Override
          public void println(String line) {}

          @Override
          public void step(long at, long planned, double cost, double accuracy) {
            if (at == 30) {
              stop.request(130);
            }
          }
        };
    assertThrows(
        StoppedException.class,
        () ->
            TrainingRun.run(
                TrainingRun.Request.fresh(model, training, halves)
                    .withFigures(false)
                    .withStop(stop),
                GENERATED,
                ctrlCAt30));
    assertEquals(30, Checkpoint.readState(halves).iteration());
    RunResult resumed =
        TrainingRun.run(
            TrainingRun.Request.resume(halves).withFigures(false),
            GENERATED,
            new ArrayList<String>()::add);
    assertArrayEquals(
        uninterrupted.test().predicted(), resumed.test().predicted(), flags + " resumes exactly");
    if (model.activation() == Activation.RELU) { // sigmoid needs far more steps (exercise 6)
      assertTrue(
          resumed.testAccuracy() > 0.2, flags + " learns something: " + resumed.testAccuracy());
    }
  }
}
