package dev.convnet.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.convnet.data.FileTrees;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.History;
import dev.convnet.results.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A run's checkpoint: every variable (weights, biases, Adam's moments and powers, via {@code
 * Session.save}) and the run's state in {@code state.json}. Written into a temporary folder that
 * replaces the previous checkpoint only once complete, so a kill mid-write leaves the previous one
 * whole.
 */
public final class Checkpoint {
  public static final String DIR = "checkpoint";
  private static final String TEMPORARY = "checkpoint.tmp";
  private static final String PREVIOUS = "checkpoint.old";
  private static final String PREFIX = "variables";
  private static final String STATE = "state.json";

  /** Version of state.json's layout; a checkpoint of another version is refused by name. */
  public static final int SCHEMA_VERSION = 2;

  /**
   * Everything besides the variables that a resumed run needs to continue exactly: the network's
   * shape and the training settings (once each), and where the run was.
   */
  public record State(
      int schemaVersion,
      ModelConfig model,
      TrainConfig training,
      long iteration,
      double trainSeconds,
      History history) {

    public State(
        ModelConfig model,
        TrainConfig training,
        long iteration,
        double trainSeconds,
        History history) {
      this(SCHEMA_VERSION, model, training, iteration, trainSeconds, history);
    }

    /** Where a resumed trainer starts. */
    public Trainer.Start start() {
      return new Trainer.Start(iteration, trainSeconds, history);
    }
  }

  private Checkpoint() {}

  /** Saves {@code net}'s variables and {@code state} as the run's checkpoint. */
  public static void save(Path runDir, ConvNet net, State state) {
    Path temporary = runDir.resolve(TEMPORARY);
    Path target = runDir.resolve(DIR);
    Path previous = runDir.resolve(PREVIOUS);
    try {
      FileTrees.delete(temporary);
      Files.createDirectories(temporary);
      net.session.save(temporary.resolve(PREFIX).toString());
      Files.writeString(temporary.resolve(STATE), Json.GSON.toJson(state), StandardCharsets.UTF_8);
      FileTrees.delete(previous);
      if (Files.exists(target)) {
        Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      FileTrees.delete(previous);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the checkpoint in " + runDir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The complete checkpoint folder of {@code runDir}: the current one, or the previous one if a
   * swap was cut short.
   */
  static Path folder(Path runDir) {
    Path current = runDir.resolve(DIR);
    if (Files.isRegularFile(current.resolve(STATE))) {
      return current;
    }
    Path previous = runDir.resolve(PREVIOUS);
    if (Files.isRegularFile(previous.resolve(STATE))) {
      return previous;
    }
    throw new IllegalArgumentException(
        runDir + " has no checkpoint to resume from (no " + DIR + "/" + STATE + ")");
  }

  /** Reads the run state of {@code runDir}'s checkpoint. */
  public static State readState(Path runDir) {
    Path file = folder(runDir).resolve(STATE);
    try {
      JsonObject json = Json.GSON.fromJson(Files.readString(file), JsonObject.class);
      if (json == null) {
        throw new JsonParseException("empty");
      }
      if (json.has("model")) {
        json.add("model", Json.withNumClasses(json.get("model")));
      }
      State state = Json.GSON.fromJson(json, State.class);
      if (state.schemaVersion() != SCHEMA_VERSION) {
        throw new JsonParseException(
            "schema_version " + state.schemaVersion() + ", this version reads " + SCHEMA_VERSION);
      }
      if (state.model() == null || state.training() == null || state.history() == null) {
        throw new JsonParseException("incomplete");
      }
      return state;
    } catch (IOException | RuntimeException e) {
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse(""); // one line
      throw new IllegalArgumentException(
          file + " is corrupt (" + why + "); the run cannot be resumed");
    }
  }

  /** Restores {@code net}'s variables from {@code runDir}'s checkpoint. */
  public static void restore(Path runDir, ConvNet net) {
    Path prefix = folder(runDir).resolve(PREFIX);
    try {
      net.session.restore(prefix.toString());
    } catch (TensorFlowException | IllegalArgumentException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new IllegalArgumentException("cannot restore the checkpoint " + prefix + ": " + first);
    }
  }
}
