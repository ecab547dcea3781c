package dev.convnet.testing;

import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingGraph;
import dev.convnet.train.TrainingStep;

/** The notebook's network trained as {@code train} trains it on a CPU: with the fast step. */
public final class FastStepNets {
  private FastStepNets() {}

  /** The notebook's network with the fast step and what {@code training} adds, initialised. */
  public static TrainingGraph graph(TrainConfig training) {
    TrainingGraph graph =
        TrainingGraph.build(
            ModelConfig.notebook(), training, TrainingStep.Kind.FAST, Device.CPU_NAME);
    graph.initialize();
    return graph;
  }
}
