package dev.convnet.testing;

import dev.convnet.data.ImageSet;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.serve.ModelVersions;
import dev.convnet.serve.RestServer;

/** A server over a model a test has loaded (and closes itself). */
public final class Servers {
  private Servers() {}

  /** Serves {@code model} as version 1; {@code examples} (may be null) are the page's images. */
  public static RestServer start(
      SavedModelClassifier model, RestServer.Config config, ImageSet examples) {
    return RestServer.start(
        ModelVersions.of(config.name(), model, config.batching()), config, examples);
  }
}
