package dev.convnet.api;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.ImageSet;
import dev.convnet.model.Device;
import dev.convnet.results.Evaluation;
import dev.convnet.run.Report;
import dev.convnet.run.RunRecord;
import dev.convnet.run.TrainingRun;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import java.nio.file.Files;
import java.nio.file.Path;

/** What is done with a finished run or a SavedModel: evaluating it, redrawing its report. */
public final class Runs {
  private Runs() {}

  /**
   * What {@link #redraw} did.
   *
   * @param test the SavedModel's accuracy on the run's test images
   * @param drawn what was drawn, in one line, such as "Figures: 15 PNG files in ..."
   */
  public record Redrawn(Evaluation test, String drawn) {}

  /**
   * The accuracy and confusion matrix of the SavedModel in {@code savedModel} on the test images of
   * {@code data}, on {@code device}.
   *
   * @throws IllegalArgumentException when the model tells other classes apart than the data holds
   */
  public static Evaluation evaluate(Path savedModel, Data data, Device device) {
    try (Classifier classifier = Classifier.load(savedModel, device)) {
      ImageSet test = data.testImages(); // after the model: it fails faster
      if (!test.classNames().equals(classifier.classNames())) {
        throw new IllegalArgumentException(
            "the model tells "
                + classifier.classNames()
                + " apart, but the test images are of "
                + test.classNames());
      }
      return classifier.evaluate(test);
    }
  }

  /**
   * Draws the figures and report.html of the run in {@code runDir} again, from its SavedModel and
   * metrics.json, on the images it trained on ({@link Data#ofRun}).
   *
   * @param fashionMnistDirectory where Fashion-MNIST is, for a run on it; null: the usual places
   * @param reading told how the reading of image files goes, for a run on images of one's own
   */
  public static Redrawn redraw(
      Path runDir, Path fashionMnistDirectory, ImageFolder.Reading reading) {
    if (Files.isRegularFile(runDir)) {
      throw new InvalidSettingException(
          "runDir",
          "{runDir} " + runDir + " is a file; give the run's folder, such as runs/<timestamp>");
    }
    RunRecord record = RunRecord.read(runDir);
    Data data = Data.ofRun(runDir, fashionMnistDirectory);
    if (data instanceof Data.OwnImages own) {
      data = own.withReading(reading);
    }
    FashionMnist.Data images =
        data.trainAndTest(record.training().seed(), record.training().validationSize());
    try (SavedModelClassifier model =
        SavedModelClassifier.load(runDir.resolve(TrainingRun.SAVED_MODEL_DIR))) {
      Evaluation test = model.evaluate(images.test());
      Figures.Inputs inputs =
          new Figures.Inputs(images.train(), images.test(), test, record.history());
      return new Redrawn(
          test, Report.drawWithFigures(runDir, new NamedTensors(model.session()), inputs, record));
    }
  }
}
