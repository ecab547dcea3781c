package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.results.Evaluation;
import dev.convnet.serve.SavedModelClassifier;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every network the exercises' flags build trains, checkpoints, resumes, exports, draws its
 * figures, and its SavedModel classifies exactly as training measured.
 */
class VariantsTest {
  private static final Split SMALL = SyntheticData.split(640, 128, 256, 21);
  private static final DataSource GENERATED = DataSource.of(SMALL, "generated");

  @TempDir Path dir;

  static Stream<Arguments> variants() {
    ModelConfig n = ModelConfig.notebook();
    return Stream.of(
        Arguments.of("--dropout 0.5", n.withDropout(0.5f)),
        Arguments.of("--pooling avg", n.withPooling(Pooling.AVG)),
        Arguments.of("--pooling none", n.withPooling(Pooling.NONE)),
        Arguments.of("--pooling stride", n.withPooling(Pooling.STRIDE)),
        Arguments.of("--pool-first", n.withPoolFirst(true)),
        Arguments.of("--activation sigmoid", n.withActivation(Activation.SIGMOID)),
        Arguments.of("--conv-layers 3 --fc-layers 2", n.withConvLayers(3).withFcLayers(2)),
        Arguments.of("--relu-last", n.withReluLast(true)),
        Arguments.of(
            "--num-filters1 4 --num-filters2 8 --fc-size 32",
            n.withFilterSize1(3)
                .withNumFilters1(4)
                .withFilterSize2(3)
                .withNumFilters2(8)
                .withFcSize(32)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void trainsResumesExportsAndServesAsTrainingMeasured(String flags, ModelConfig model)
      throws Exception {
    // A constant rate, so a run planned for 30 steps and resumed to 60 steps as one planned for 60.
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

    // Stopped after 30 steps (the checkpoint), resumed to 60: the same end.
    Path halves = dir.resolve("halves");
    TrainingRun.run(
        TrainingRun.Request.fresh(
                model, training.withLength(TrainConfig.Length.iterations(30)), halves)
            .withFigures(false),
        GENERATED,
        line -> {});
    Path state = halves.resolve("checkpoint").resolve("state.json");
    Files.writeString(state, Files.readString(state).replace("\"count\": 30", "\"count\": 60"));
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
