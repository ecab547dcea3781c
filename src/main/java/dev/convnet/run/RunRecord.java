package dev.convnet.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Evaluation;
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
      String data) {

    /** A builder: thirteen values are too many to pass by position. */
    public static Builder builder() {
      return new Builder();
    }

    /** Collects the results of a finished run, then {@link #build}s them. */
    public static final class Builder {
      private double testAccuracy;
      private int testCorrect;
      private int testTotal;
      private Double validationAccuracy;
      private Integer validationCorrect;
      private Integer validationTotal;
      private long iterations;
      private double epochs;
      private double trainSeconds;
      private double trainImagesPerSecond;
      private String device;
      private long parameterCount;
      private String data;

      private Builder() {}

      /** The test-set's accuracy and counts. */
      public Builder test(Evaluation test) {
        testAccuracy = test.accuracy();
        testCorrect = test.correct();
        testTotal = test.total();
        return this;
      }

      /** The validation set's, or none when there is no validation set. */
      public Builder validation(Evaluation validation) {
        validationAccuracy = validation == null ? null : validation.accuracy();
        validationCorrect = validation == null ? null : validation.correct();
        validationTotal = validation == null ? null : validation.total();
        return this;
      }

      /** The training's length, in iterations and epochs, and its time. */
      public Builder training(long iterationCount, double epochCount, double seconds) {
        iterations = iterationCount;
        epochs = epochCount;
        trainSeconds = seconds;
        return this;
      }

      public Builder imagesPerSecond(double value) {
        trainImagesPerSecond = value;
        return this;
      }

      public Builder device(String value) {
        device = value;
        return this;
      }

      public Builder parameterCount(long value) {
        parameterCount = value;
        return this;
      }

      public Builder data(String value) {
        data = value;
        return this;
      }

      public Results build() {
        return new Results(
            testAccuracy,
            testCorrect,
            testTotal,
            validationAccuracy,
            validationCorrect,
            validationTotal,
            iterations,
            epochs,
            trainSeconds,
            trainImagesPerSecond,
            device,
            parameterCount,
            data);
      }
    }
  }

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
        Json.modelConfig(json.get("model")),
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
