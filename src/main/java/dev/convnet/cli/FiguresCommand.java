package dev.convnet.cli;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.OwnData;
import dev.convnet.data.SplitFile;
import dev.convnet.results.Evaluation;
import dev.convnet.run.Report;
import dev.convnet.run.RunRecord;
import dev.convnet.run.TrainingRun;
import dev.convnet.serve.SavedModelClassifier;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet figures}: (re)draws a run's figures and report from its SavedModel and record. */
@Command(
    name = "figures",
    mixinStandardHelpOptions = true,
    description =
        "Draw a finished run's figures (figures/*.png) and report.html again, from its saved_model"
            + " and metrics.json.")
final class FiguresCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--run-dir",
      paramLabel = "DIR",
      required = true,
      description = "A run directory written by 'convnet train'.")
  Path runDir;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    if (Files.isRegularFile(runDir)) {
      throw new InvalidSettingException(
          "runDir",
          "{runDir} " + runDir + " is a file; give the run's folder, such as runs/<timestamp>");
    }
    RunRecord record = RunRecord.read(runDir);
    // A run on images of one's own keeps their split: the same images again.
    Path split = runDir.resolve(SplitFile.FILE_NAME);
    FashionMnist.Data data;
    if (Files.isRegularFile(split)) {
      OwnData.Loaded own =
          OwnData.load(
              split,
              record.training().seed(),
              record.training().validationSize(),
              ReadingProgress.to(System.out, true));
      data = new FashionMnist.Data(own.original(), own.split().test(), runDir);
    } else {
      data = FashionMnist.load(dataOptions.dataDir);
    }
    Path savedModel = runDir.resolve(TrainingRun.SAVED_MODEL_DIR);
    try (SavedModelClassifier model = SavedModelClassifier.load(savedModel)) {
      Evaluation test = model.evaluate(data.test());
      Figures.Inputs inputs = new Figures.Inputs(data.train(), data.test(), test, record.history());
      String drawn =
          Report.drawWithFigures(runDir, new NamedTensors(model.session()), inputs, record);
      PrintWriter out = spec.commandLine().getOut();
      out.println(test.accuracyLine("Test-Set"));
      out.println(drawn);
      out.flush();
    }
    return 0;
  }
}
