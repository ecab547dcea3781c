package dev.convnet.serve;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convnet.common.Messages;
import dev.convnet.data.ImageInput;
import dev.convnet.savedmodel.Instances;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * What the API's routes do once a request has reached them: the model's status and metadata, a
 * predict request (pixels or image files), and an image file classified as {@code predict} does.
 * Every request that runs the model goes through {@link ModelRuns}: never more runs than cores.
 */
final class ApiHandlers {
  private final ModelVersions versions;

  ApiHandlers(ModelVersions versions) {
    this.versions = versions;
  }

  /** {@code GET /v1/models/M[/versions/N]}: every version known and its state. */
  JsonElement status(OptionalLong version) {
    return versions.status(version);
  }

  /** {@code GET /v1/models/M[/versions/N]/metadata}. */
  JsonElement metadata(OptionalLong version) {
    return versions.run(
        version,
        served -> ServingApi.metadata(versions.name(), served.model.signatures(), served.version));
  }

  /** {@code POST /v1/models/M[/versions/N]:predict}, counted by signature and status. */
  JsonElement predict(OptionalLong version, byte[] body) {
    long start = System.nanoTime();
    String[] signature = {ServeMetrics.NO_SIGNATURE};
    int code = 500;
    try {
      // The body is read with the version held: as TensorFlow Serving, which finds the servable
      // before it reads the instances, a missing version is a 404 whatever the body.
      JsonElement answer =
          versions.run(
              version,
              served -> {
                ServingApi.PredictRequest request =
                    ServingApi.parsePredict(new String(body, StandardCharsets.UTF_8));
                signature[0] = request.signature();
                return ServingApi.answer(
                    request,
                    request.instances() instanceof Instances.Files files
                        ? predictFiles(served, files.files())
                        : served.runs.predict(request.instances().pixels(""), request.n()),
                    served.model.classNames());
              });
      code = 200;
      return answer;
    } catch (ServingApi.ApiException e) {
      code = e.status();
      throw e;
    } finally {
      versions.metrics().request(signature[0], code, (System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Image files sent to {@code serving_images}. Every header is read first and its size checked, as
   * {@code predict} checks it; then each file is prepared by {@code predict}'s own code, so the
   * answers are {@code predict}'s (the SavedModel's graph prepares 28x28 grey files to the same
   * pixels, larger ones a little differently, docs/serving.md), at 13-17 µs a small PNG against 52
   * µs in the graph's loop (docs/performance.md#serving).
   */
  private SavedModelClassifier.Outputs predictFiles(
      ModelVersions.Served served, List<byte[]> files) {
    if (!served.model.signatures().containsKey(ModelExport.IMAGES_SIGNATURE_KEY)) {
      throw ServingApi.bad(
          "Serving signature name: \""
              + ModelExport.IMAGES_SIGNATURE_KEY
              + "\" not found in"
              + " signature def (the model was exported before it had one)");
    }
    for (int i = 0; i < files.size(); i++) {
      String instance = "instance " + i;
      ImageHeader header;
      try {
        header = ImageHeader.of(files.get(i), instance);
      } catch (IllegalArgumentException e) {
        throw ServingApi.bad(e.getMessage());
      }
      if (header.pixels() > ImageInput.MAX_PIXELS) {
        throw ServingApi.bad(
            ImageInput.tooLarge(instance, header.width(), header.height()).getMessage());
      }
    }
    float[] images;
    try {
      images = ImageInput.pixels(files, "instance");
    } catch (IllegalArgumentException e) {
      throw ServingApi.bad(e.getMessage());
    }
    return served.runs.predict(images, files.size());
  }

  /**
   * {@code POST /images:classify}: an image file's bytes in, what {@code predict --json} prints.
   */
  JsonElement classifyImage(Request request, byte[] bytes) {
    Fields query = Request.extractQueryParameters(request);
    // The name is the client's, repeated in the answer and in errors: control characters escaped.
    String file =
        query.getValue("name") == null ? "upload" : Messages.echoed(query.getValue("name"));
    ImageInput.Prepared image;
    try {
      image = ImageInput.read(bytes, file);
    } catch (IllegalArgumentException e) {
      throw ServingApi.bad(e.getMessage());
    }
    return versions.run(
        OptionalLong.empty(),
        served -> {
          float[] p = served.runs.predict(image.pixels(), 1).probabilities();
          JsonObject answer =
              Exchange.GSON
                  .toJsonTree(Prediction.of(file, p, image.inverted(), served.model.classNames()))
                  .getAsJsonObject();
          if (query.get("pixels") != null) {
            // For the page: the 28x28 picture the network sees and every class's probability.
            answer.add("pixels", Exchange.GSON.toJsonTree(image.pixels()));
            answer.add("probabilities", Exchange.GSON.toJsonTree(p));
          }
          return answer;
        });
  }
}
