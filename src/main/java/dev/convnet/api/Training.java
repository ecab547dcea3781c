package dev.convnet.api;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.SplitFile;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.train.Checkpoint;
import dev.convnet.train.StopSwitch;
import dev.convnet.train.StoppedException;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Training the notebook's network, or a variant of it, into a run directory: metrics.json, a
 * SavedModel, checkpoints, TensorBoard events, figures and report.html.
 *
 * <pre>{@code
 * RunResult result =
 *     Training.run(
 *         Training.fresh(ModelConfig.notebook(), TrainConfig.DEFAULT, Path.of("runs/mine")),
 *         Data.ownImages(Path.of("my-photos")),
 *         TrainingProgress.lines(System.out));
 * System.out.println(result.testAccuracy());
 * }</pre>
 */
public final class Training {
  private Training() {}

  /**
   * A new run of {@code model} trained as {@code training} says (a recipe, such as {@code
   * TrainConfig.DEFAULT}, with its withers for changes), into {@code runDir}: new or empty; null
   * for a new {@code runs/<time>}. Chain {@code withDevice}, {@code withFigures}, {@code withForce}
   * and the others for how it runs.
   */
  public static TrainingRun.Fresh fresh(ModelConfig model, TrainConfig training, Path runDir) {
    return TrainingRun.Request.fresh(model, training, runDir);
  }

  /**
   * The continuation of the interrupted run in {@code runDir}, with the settings its checkpoint
   * holds.
   *
   * @param asked the network the caller asks for, if any: refused unless it is the checkpoint's
   * @throws IllegalArgumentException when {@code runDir} is a file, has no checkpoint, holds
   *     another network than {@code asked}, or was trained at a precision this process cannot give
   */
  public static TrainingRun.Resume resume(Path runDir, Optional<ModelConfig> asked) {
    if (Files.isRegularFile(runDir)) {
      throw new InvalidSettingException(
          "resume",
          "{resume} " + runDir + " is a file; give the run's folder, such as runs/<timestamp>");
    }
    Checkpoint.State state = Checkpoint.readState(runDir);
    if (asked.isPresent() && !asked.get().equals(state.model())) {
      throw new IllegalArgumentException(
          "the checkpoint in "
              + runDir
              + " has a different network ("
              + state.model().describe()
              + ") than asked ("
              + asked.get().describe()
              + "); resume without network flags");
    }
    Precisions.require(state.training().precision());
    return TrainingRun.Request.resume(runDir);
  }

  /**
   * Trains as {@code request} says on {@code data}, quietly but for {@code progress}'s lines.
   *
   * @see #run(TrainingRun.Request, Data, TrainingProgress, ImageFolder.Reading)
   */
  public static RunResult run(TrainingRun.Request request, Data data, TrainingProgress progress) {
    return run(request, data, progress, ImageFolder.Reading.QUIET);
  }

  /**
   * Trains as {@code request} says. A fresh run reads {@code data}, split with its seed; a resumed
   * run reads the images its {@code split.json} names, else Fashion-MNIST as {@code data} finds it.
   * Everything that can be refused (settings, run directory, device, data path) is refused before
   * the images are read, and a run directory made for the run is removed again when its data cannot
   * be trained on.
   *
   * @param progress receives the notebook's printed lines and each step
   * @param reading told how the reading of image files goes, for data of one's own
   * @throws StoppedException when the request's stop switch stopped the run (after writing a
   *     checkpoint)
   */
  public static RunResult run(
      TrainingRun.Request request,
      Data data,
      TrainingProgress progress,
      ImageFolder.Reading reading)
      throws StoppedException {
    return TrainingRun.run(
        request, dataOf(request, data, reading).source(seedOf(request)), progress);
  }

  /**
   * {@link #run(TrainingRun.Request, Data, TrainingProgress, ImageFolder.Reading)}, stopped after
   * the step under way, with a checkpoint written, once {@code stop} is set from another thread
   * (Ctrl-C, a deadline).
   *
   * @throws StoppedException when {@code stop} stopped the run; it names the run directory to
   *     resume
   */
  public static RunResult run(
      TrainingRun.Request request,
      Data data,
      TrainingProgress progress,
      ImageFolder.Reading reading,
      StopSwitch stop)
      throws StoppedException {
    return run(request.withStop(stop), data, progress, reading);
  }

  /** The data a request reads: a resumed run's own split, or the data asked for. */
  private static Data dataOf(TrainingRun.Request request, Data asked, ImageFolder.Reading reading) {
    Data data = asked;
    if (request instanceof TrainingRun.Resume resume) {
      if (asked instanceof Data.OwnImages) {
        throw new InvalidSettingException(
            "data",
            "{data} cannot be combined with {resume}: a resumed run reads the images its "
                + SplitFile.FILE_NAME
                + " names");
      }
      Path directory = ((Data.FashionMnistFiles) asked).directory();
      data = Data.ofRun(resume.runDir(), directory);
    }
    return data instanceof Data.OwnImages own ? own.withReading(reading) : data;
  }

  /** A fresh run splits with its own seed; a resumed run's split file fixes every set. */
  private static long seedOf(TrainingRun.Request request) {
    return request instanceof TrainingRun.Fresh fresh ? fresh.training().seed() : TrainConfig.SEED;
  }
}
