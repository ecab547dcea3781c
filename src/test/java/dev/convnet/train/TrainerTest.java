package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Evaluation;
import dev.convnet.results.Formats;
import dev.convnet.results.History;
import dev.convnet.testing.Configs;
import dev.convnet.testing.SyntheticData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainerTest {
  private static final Split SMALL = SyntheticData.split(640, 200, 300, 5);

  /**
   * Seeded runs repeat bit for bit: every variable, every logged cost and printed line, every
   * prediction. The one proof of determinism (resuming is held to it by CheckpointTest's Ctrl-C
   * runs); on noisy data, which guards the ordering in AdamOptimizer: when apply ops could update
   * weights that the backward pass still read, two such runs differed after two steps.
   */
  @Test
  void twoRunsWithTheSameSeedAreBitIdentical() {
    ImageSet noise = SyntheticData.noise(640, 4);
    Split split = new Split(noise, noise.slice(0, 0), noise.slice(0, 64));
    List<List<float[]>> runs = new ArrayList<>();
    List<List<String>> printed = new ArrayList<>();
    List<int[]> predicted = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (ConvNet net = new ConvNet(ModelConfig.notebook(), 8)) {
        net.initialize();
        List<String> lines = new ArrayList<>();
        Trainer trainer = new Trainer(net, split, Configs.constant(64, 1e-3f, 8), lines::add);
        trainer.optimize(120);
        List<float[]> values = new ArrayList<>();
        net.trainableVariables.forEach(v -> values.add(net.valueOf(v)));
        runs.add(values);
        printed.add(lines.subList(0, 2)); // iterations 1 and 101, not the time used
        predicted.add(trainer.evaluate(split.test()).predicted());
      }
    }
    for (int i = 0; i < runs.get(0).size(); i++) {
      assertArrayEquals(runs.get(0).get(i), runs.get(1).get(i), 0f, "variable " + i);
    }
    assertEquals(printed.get(0), printed.get(1));
    assertArrayEquals(predicted.get(0), predicted.get(1));
  }

  @Test
  void labelSmoothingTrainsTowardsSoftenedTargets() {
    float epsilon = 0.1f;
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), 6)) {
      net.initialize();
      int[] firstBatch = new BatchSource(SMALL.train().size(), 32, 6).next();
      float[] p = net.evaluate(net.yPred, SMALL.train().images(firstBatch), firstBatch.length);
      double expected = 0;
      for (int k = 0; k < firstBatch.length; k++) {
        for (int c = 0; c < 10; c++) {
          double target =
              epsilon / 10 + (c == SMALL.train().label(firstBatch[k]) ? 1 - epsilon : 0);
          expected -= target * Math.log(p[k * 10 + c]);
        }
      }
      expected /= firstBatch.length;
      Trainer trainer =
          new Trainer(
              net, SMALL, Configs.constant(32, 1e-3f, 6).withLabelSmoothing(epsilon), line -> {});
      trainer.optimize(1);
      assertEquals(
          expected,
          trainer.history().steps().get(0).cost(),
          1e-4,
          "the cost of iteration 1 is against smoothed targets");
    }
  }

  @Test
  void validationIsMeasuredAtEachEpochEnd() {
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), 1)) {
      net.initialize();
      List<Long> ended = new ArrayList<>();
      TrainingListener listener =
          new TrainingListener() {
            @Override
            public void epochEnd(History.EpochEnd end) {
              ended.add(end.epoch());
            }
          };
      Trainer trainer =
          new Trainer(
              TrainingGraph.notebook(net, Configs.constant(32, 1e-3f, 1)),
              SMALL,
              new Trainer.Observers(line -> {}, List.of(listener)),
              Trainer.Start.FRESH);
      trainer.optimize(2L * trainer.iterationsPerEpoch() + 3);
      assertEquals(List.of(1L, 2L), ended);
      assertEquals(2, trainer.history().epochs().size());
      assertTrue(trainer.history().epochs().get(1).validationAccuracy() > 0.5);
    }
  }

  @Test
  void notebookFormatsAreReproducedExactly() {
    assertEquals(
        "Optimization Iteration:    101, Training Accuracy:  84.4%",
        Formats.iterationLine(101, 0.84375));
    assertEquals(
        "Optimization Iteration:      1, Training Accuracy: 100.0%", Formats.iterationLine(1, 1.0));
    assertEquals("Time usage: 0:00:41", Formats.timeUsage(40.6));
    assertEquals("Time usage: 1:02:03", Formats.timeUsage(3723));
    assertEquals("90.6%", Formats.percent(0.906));
  }

  @Test
  void theAccuracyLineMatchesTheNotebook() {
    int[] predicted = new int[10_000];
    int[] truth = new int[10_000];
    for (int i = 0; i < 940; i++) {
      predicted[i] = 1;
    }
    Evaluation e = new Evaluation(predicted, truth, FashionMnist.LABELS);
    assertEquals("Accuracy on Test-Set: 90.6% (9060 / 10000)", e.accuracyLine("Test-Set"));
  }

  @Test
  void theCosineScheduleWarmsUpThenDecaysToZero() {
    LearningRateSchedule s = LearningRateSchedule.warmupCosine(1f, 10, 110);
    assertEquals(0.1f, s.rate(0), 1e-6);
    assertEquals(1f, s.rate(9), 1e-6);
    assertEquals(0.5f, s.rate(60), 1e-6);
    assertEquals(0f, s.rate(110), 1e-6);
  }
}
