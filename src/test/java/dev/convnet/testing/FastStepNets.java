package dev.convnet.testing;

import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingStep;

/** The notebook's network trained as {@code train} trains it on a CPU: with the fast step. */
public final class FastStepNets {
  private FastStepNets() {}

  /** The notebook's network on the CPU, with the threads the fast step uses. */
  public static ConvNet network(long seed) {
    return new ConvNet(
        ModelConfig.notebook(),
        seed,
        Device.CPU_NAME,
        Trainer.threadsFor(TrainingStep.Kind.FAST, ModelConfig.notebook(), Device.CPU_NAME));
  }

  /** A quiet trainer of {@code net} on {@code split} with the fast step. */
  public static Trainer trainer(ConvNet net, Split split, TrainConfig config) {
    return new Trainer(Trainer.stepFor(TrainingStep.Kind.FAST, net), split, config, line -> {});
  }
}
