package dev.convnet.testing;

import dev.convnet.data.FileTrees;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One small trained and exported model that the serving tests share: the notebook's network, 60
 * steps on generated images, exported once for the whole test run (a SavedModel is only read), with
 * the float32 rounding bound of its logits for tests that compare two runs of it.
 */
public final class TrainedModel {
  private static TrainedModel shared;

  /** The generated images it trained on; its test set is what the serving tests send. */
  public final Split split;

  /** The exported SavedModel: read only. */
  public final Path savedModel;

  /** How far two runs that add in different orders may put one logit ({@link Rounding}). */
  public final double logitError;

  private TrainedModel(Split split, Path savedModel, double logitError) {
    this.split = split;
    this.savedModel = savedModel;
    this.logitError = logitError;
  }

  /** The shared model, trained and exported by the first test that asks. */
  public static synchronized TrainedModel get() {
    if (shared == null) {
      Split split = SyntheticData.split(1_000, 100, 200, 5);
      Path dir;
      try {
        dir = Files.createTempDirectory("convnet-trained-model");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> FileTrees.delete(dir)));
      Path savedModel = dir.resolve("saved_model");
      try (ConvNet net = new ConvNet(ModelConfig.notebook(), 5)) {
        net.initialize();
        new Trainer(net, split, Configs.constant(64, 1e-3f, 5), line -> {}).optimize(60);
        ModelExport.export(net, savedModel);
        float[] logits =
            net.evaluate(
                net.layerFc2, split.test().images(dev.convnet.data.ImageSet.range(0, 200)), 200);
        double logitError =
            Rounding.twoComputations(Rounding.forwardTerms(net.config), Rounding.largest(logits));
        shared = new TrainedModel(split, savedModel, logitError);
      }
    }
    return shared;
  }

  /** Test image {@code index} as the JSON list of 784 pixels a predict request sends. */
  public String pixelsJson(int index) {
    StringBuilder sb = new StringBuilder("[");
    float[] pixels = split.test().image(index);
    for (int j = 0; j < pixels.length; j++) {
      sb.append(j == 0 ? "" : ",").append(pixels[j]);
    }
    return sb.append(']').toString();
  }
}
