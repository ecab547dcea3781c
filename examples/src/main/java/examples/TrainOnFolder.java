package examples;

import dev.convnet.api.Data;
import dev.convnet.api.Training;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.RunResult;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingProgress;
import java.nio.file.Path;

/**
 * Trains the notebook's network on a folder of class folders and exports it: TrainOnFolder
 * IMAGE_FOLDER RUN_DIR [ITERATIONS]. The SavedModel lands in RUN_DIR/saved_model.
 */
public final class TrainOnFolder {
  public static void main(String[] args) {
    long iterations = args.length > 2 ? Long.parseLong(args[2]) : 500;
    // begin train
    TrainConfig recipe =
        TrainConfig.DEFAULT.withLength(TrainConfig.Length.iterations(iterations));
    RunResult result =
        Training.run(
            Training.fresh(ModelConfig.notebook(), recipe, Path.of(args[1])),
            Data.ownImages(Path.of(args[0])),
            TrainingProgress.lines(System.out));
    System.out.println("Test accuracy " + result.testPercent() + ", model in " + result.runDir());
    // end train
  }
}
