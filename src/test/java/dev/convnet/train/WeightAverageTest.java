package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Evaluation;
import dev.convnet.testing.Configs;
import dev.convnet.testing.SyntheticData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The weights' moving average: TF1's update, swapped in for evaluation only, copied at the end. */
class WeightAverageTest {
  private static final Split SMALL = SyntheticData.split(640, 128, 256, 4);
  private static final float DECAY = 0.9f;

  private static List<float[]> values(ConvNet net) {
    List<float[]> out = new ArrayList<>();
    for (Variable<TFloat32> v : net.trainableVariables) {
      out.add(net.valueOf(v));
    }
    return out;
  }

  @Test
  void theAverageFollowsTf1sUpdateAndEvaluationLeavesTheLiveWeightsAlone() {
    TrainConfig config = Configs.constant(32, 1e-3f, 3).withAverageDecay(DECAY);
    try (TrainingGraph graph =
        TrainingGraph.build(
            ModelConfig.notebook(), config, TrainingStep.Kind.NOTEBOOK, Device.CPU_NAME)) {
      graph.initialize();
      ConvNet net = graph.net;
      WeightAverage average = graph.average;
      Trainer trainer = new Trainer(graph, SMALL, line -> {});
      // The same update written out in Java over the weights after each step.
      List<float[]> expected = values(net);
      for (int i = 0; i < 25; i++) {
        trainer.step(null);
        float d = average.decayAt(i);
        List<float[]> now = values(net);
        for (int v = 0; v < now.size(); v++) {
          float[] e = expected.get(v);
          float[] w = now.get(v);
          for (int k = 0; k < e.length; k++) {
            e[k] -= (1 - d) * (e[k] - w[k]);
          }
        }
      }
      assertEquals(0.1f, average.decayAt(0), 1e-7f, "the first step barely averages");
      assertEquals(DECAY, average.decayAt(1_000), 0f);
      List<float[]> live = values(net);
      List<float[]> averaged = average.evaluated(() -> values(net));
      for (int v = 0; v < live.size(); v++) {
        assertArrayEquals(expected.get(v), averaged.get(v), 1e-6f, "variable " + v);
        assertFalse(Arrays.equals(live.get(v), averaged.get(v)), "the average is not the last");
        assertArrayEquals(live.get(v), net.valueOf(net.trainableVariables.get(v)), 0f, "restored");
      }

      // The trainer evaluates with the average; at the end it becomes the weights.
      Evaluation byAverage = trainer.evaluate(SMALL.test());
      assertArrayEquals(average.evaluated(() -> classes(net)), byAverage.predicted());
      trainer.finishWeights();
      assertArrayEquals(byAverage.predicted(), classes(net));
      for (int v = 0; v < live.size(); v++) {
        assertArrayEquals(averaged.get(v), net.valueOf(net.trainableVariables.get(v)), 0f);
      }
    }
  }

  @Test
  void theGraphHasAnAverageExactlyWhenItsSettingsAskForOne() {
    TrainConfig plain = Configs.constant(32, 1e-3f, 3);
    try (TrainingGraph without =
            TrainingGraph.build(
                ModelConfig.notebook(), plain, TrainingStep.Kind.NOTEBOOK, Device.CPU_NAME);
        TrainingGraph with =
            TrainingGraph.build(
                ModelConfig.notebook(),
                plain.withAverageDecay(0.5f),
                TrainingStep.Kind.NOTEBOOK,
                Device.CPU_NAME)) {
      assertNull(without.average);
      assertEquals(0.5f, with.average.decay());
      assertThrows(IllegalArgumentException.class, () -> new WeightAverage(without.net, 1f));
      // A network built by hand gets the notebook's step only: the average is the factory's.
      assertThrows(
          IllegalArgumentException.class,
          () -> TrainingGraph.notebook(without.net, plain.withAverageDecay(0.5f)));
    }
  }

  /** Each test image's class by the network's current weights, in In [42]'s batches of 256. */
  private static int[] classes(ConvNet net) {
    return Evaluation.classify(SMALL.test(), 256, net::predictClasses).predicted();
  }
}
