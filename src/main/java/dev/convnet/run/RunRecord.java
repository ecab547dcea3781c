package dev.convnet.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.History;
import dev.convnet.results.Json;
import dev.convnet.train.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * {@code metrics.json}: what a run reached, the settings it ran with and its history, for people
 * and scripts. Written and read through {@link Json}, snake_case throughout, each value once: the
 * results and every training setting at the top level, the network's shape under {@code model}, the
 * logged steps under {@code history}. README "A run directory" documents each key.
 *
 * @param results what the run reached and how fast
 * @param training every training setting (written flat at the top level)
 * @param model the network's shape
 * @param history what training logged
 */
public record RunRecord(Results results, TrainConfig training, ModelConfig model, History history) {
  public static final String FILE_NAME = "metrics.json";

  /** Version of this layout; a reader of another version refuses the file by name. */
  public static final int SCHEMA_VERSION = 2;

  /**
   * What a run reached.
   *
   * @param testAccuracy fraction of the 10,000 test images classified right
   * @param testCorrect how many
   * @param testTotal of how many
   * @param validationAccuracy the same on the validation set, null without one
   * @param validationCorrect how many, null without a validation set
   * @param validationTotal of how many
   * @param iterations optimization steps run
   * @param epochs passes over the training set that makes
   * @param trainSeconds time spent in the optimization steps (evaluations included)
   * @param trainImagesPerSecond training images per second of that time
   * @param device where the graph ran, such as "/device:CPU:0"
   * @param parameterCount trainable weights and biases
   * @param data where the data came from
   */
  public record Results(
      double testAccuracy,
      int testCorrect,
      int testTotal,
      Double validationAccuracy,
      Integer validationCorrect,
      Integer validationTotal,
      long iterations,
      double epochs,
      double trainSeconds,
      double trainImagesPerSecond,
      String device,
      long parameterCount,
      String data) {}

  /** The record as the JSON tree that is written: results, then the settings, model, history. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    json.addProperty("schema_version", SCHEMA_VERSION);
    for (Map.Entry<String, JsonElement> e :
        Json.GSON.toJsonTree(results).getAsJsonObject().entrySet()) {
      json.add(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, JsonElement> e :
        Json.GSON.toJsonTree(training).getAsJsonObject().entrySet()) {
      json.add(e.getKey(), e.getValue());
    }
    json.add("model", Json.GSON.toJsonTree(model));
    json.add("history", Json.GSON.toJsonTree(history));
    return json;
  }

  /** Reads a record back from its JSON tree. */
  public static RunRecord fromJson(JsonObject json) {
    int version = json.has("schema_version") ? json.get("schema_version").getAsInt() : 1;
    if (version != SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          FILE_NAME + " has schema_version " + version + "; this version reads " + SCHEMA_VERSION);
    }
    return new RunRecord(
        Json.GSON.fromJson(json, Results.class),
        Json.GSON.fromJson(json, TrainConfig.class),
        Json.GSON.fromJson(json.get("model"), ModelConfig.class),
        History.copyOf(Json.GSON.fromJson(json.get("history"), History.class)));
  }

  /** Writes {@code dir/metrics.json} through a temporary file, so a reader never sees half. */
  public void write(Path dir) {
    Path target = dir.resolve(FILE_NAME);
    Path temporary = dir.resolve(FILE_NAME + ".part");
    try {
      Files.writeString(temporary, Json.GSON.toJson(toJson()) + "\n", StandardCharsets.UTF_8);
      Files.move(
          temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Reads {@code dir/metrics.json}; a missing, unreadable or foreign file gets one line. */
  public static RunRecord read(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          dir + " is not a finished run directory (no " + FILE_NAME + ")");
    }
    try {
      return fromJson(Json.GSON.fromJson(Files.readString(file), JsonObject.class));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
    }
  }
}
