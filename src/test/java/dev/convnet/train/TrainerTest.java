package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.BatchSource;
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

  private record Outcome(double[] costs, int[] predicted, List<String> lines) {}

  private static Outcome train(long seed, long iterations) {
    List<String> lines = new ArrayList<>();
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), seed)) {
      net.initialize();
      TrainConfig config =
          TrainConfig.DEFAULT
              .withBatchSize(32)
              .withLearningRate(1e-3f)
              .withSeed(seed)
              .withLength(TrainConfig.Length.iterations(iterations));
      Trainer trainer = new Trainer(net, SMALL, config, lines::add);
      trainer.optimize(iterations);
      double[] costs = trainer.history().steps().stream().mapToDouble(History.Step::cost).toArray();
      return new Outcome(costs, trainer.evaluate(SMALL.test()).predicted(), lines);
    }
  }

  @Test
  void twoRunsWithTheSameSeedAreBitIdentical() {
    Outcome a = train(3, 250);
    Outcome b = train(3, 250);
    assertEquals(3, a.costs().length, "logged at iterations 1, 101, 201");
    assertArrayEquals(a.costs(), b.costs(), 0.0);
    assertArrayEquals(a.predicted(), b.predicted());
    assertEquals(a.lines().subList(0, 3), b.lines().subList(0, 3));
  }

  /**
   * Guards the ordering in AdamOptimizer: when apply ops could update weights that the backward
   * pass still read, two such runs differed after two steps.
   */
  @Test
  void everyVariableIsBitIdenticalAfterTheSameSeededStepsOnNoisyData() {
    ImageSet noise = SyntheticData.noise(640, 4);
    Split split = new Split(noise, noise.slice(0, 0), noise.slice(0, 64));
    List<List<float[]>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (ConvNet net = new ConvNet(ModelConfig.notebook(), 8)) {
        net.initialize();
        new Trainer(net, split, Configs.constant(64, 1e-3f, 8), line -> {}).optimize(40);
        List<float[]> values = new ArrayList<>();
        net.trainableVariables.forEach(v -> values.add(net.valueOf(v)));
        runs.add(values);
      }
    }
    for (int i = 0; i < runs.get(0).size(); i++) {
      assertArrayEquals(runs.get(0).get(i), runs.get(1).get(i), 0f, "variable " + i);
    }
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
    Evaluation e = new Evaluation(predicted, truth);
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
