package dev.convnet.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code metrics.json}: a run's results, hyperparameters and history, for people and scripts. */
public final class Metrics {
  public static final String FILE_NAME = "metrics.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private Metrics() {}

  public static Map<String, Object> of(RunResult result, TrainOptions options, String device) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("test_accuracy", result.testAccuracy());
    m.put("test_correct", result.test().correct());
    m.put("test_total", result.test().total());
    m.put("validation_accuracy", result.validation() == null ? null : result.validationAccuracy());
    m.put("iterations", result.iterations());
    m.put("epochs", result.epochs());
    m.put("batch_size", options.effectiveBatchSize());
    m.put("learning_rate", options.effectiveLearningRate());
    m.put("recipe", options.recipe().name().toLowerCase());
    m.put("seed", options.seed());
    m.put("validation_size", options.validationSize());
    m.put("train_seconds", result.trainSeconds());
    m.put("train_images_per_second", result.trainImagesPerSecond());
    m.put("device", device);
    m.put("model", options.modelConfig());
    m.put("history", result.history());
    return m;
  }

  /** Writes {@code metrics} to {@code dir/metrics.json} through a temporary file, so a reader never sees half. */
  public static void write(Path dir, Map<String, Object> metrics) {
    Path target = dir.resolve(FILE_NAME);
    Path temporary = dir.resolve(FILE_NAME + ".part");
    try {
      Files.writeString(temporary, GSON.toJson(metrics) + "\n", StandardCharsets.UTF_8);
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** The same metrics as the JSON tree that {@link #write} stores. */
  public static JsonObject asJson(Map<String, Object> metrics) {
    return GSON.toJsonTree(metrics).getAsJsonObject();
  }

  public static JsonObject read(Path dir) {
    try {
      return GSON.fromJson(Files.readString(dir.resolve(FILE_NAME)), JsonObject.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(FILE_NAME) + ": " + e.getMessage(), e);
    }
  }
}
