package dev.convnet.api;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.ImageSet;
import dev.convnet.model.Device;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.serve.ModelVersions;
import dev.convnet.serve.RestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * TensorFlow Serving's REST API, and a page to draw or drop an image, over a SavedModel or a base
 * path of numbered versions (served newest first, a newer one switched to once loaded and warmed
 * up).
 */
public final class Serving {
  private Serving() {}

  /**
   * Starts serving {@code model} and returns once it answers; {@link RestServer#stop} ends it.
   *
   * @param model a SavedModel folder, or a base path of numbered version folders
   * @param device where the model runs
   * @param config address, name, batching and limits ({@code RestServer.Config.defaults()} and its
   *     withers)
   * @param poll with a base path: how often to look for a newer version (zero: only at start)
   * @param examples the data whose test images the page offers as examples while the model tells
   *     their classes apart; Fashion-MNIST that is not installed offers none
   * @param log receives a line for each version loaded, warmed up or refused
   * @throws IllegalArgumentException when the model, the data or a setting cannot be used
   */
  public static RestServer start(
      Path model,
      Device device,
      RestServer.Config config,
      Duration poll,
      Data examples,
      Consumer<String> log) {
    if (poll.isNegative()) {
      throw new InvalidSettingException("pollSeconds", "{pollSeconds} must be 0 or more");
    }
    examples.check(); // before the model loads
    String where = device.resolve();
    ModelVersions.Loader loader =
        dir -> SavedModelClassifier.load(dir, where, SavedModelClassifier.Callers.MANY);
    ModelVersions versions;
    if (ModelVersions.isBasePath(model)) {
      if (!ModelVersions.holdsVersions(model)) {
        throw new InvalidSettingException(
            "model",
            "{model} "
                + model
                + " is neither a SavedModel (no "
                + ModelExport.SAVED_MODEL_FILE
                + ") nor a base path of numbered versions (such as "
                + model.resolve("1").resolve(ModelExport.SAVED_MODEL_FILE)
                + ")");
      }
      versions = ModelVersions.watch(config.name(), model, loader, config.batching(), poll, log);
    } else {
      versions = ModelVersions.single(config.name(), model, loader, config.batching(), log);
    }
    return RestServer.start(versions, config, examplesOf(examples));
  }

  /** The page's examples: the test images of one's own data, or of Fashion-MNIST if installed. */
  private static ImageSet examplesOf(Data data) {
    if (data instanceof Data.OwnImages) {
      return data.testImages();
    }
    try {
      return data.testImages();
    } catch (RuntimeException e) {
      return null; // serving needs no data; the page says it has no examples
    }
  }
}
