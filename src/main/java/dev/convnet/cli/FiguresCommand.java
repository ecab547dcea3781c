package dev.convnet.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.convnet.data.FashionMnist;
import dev.convnet.serve.SavedModelClassifier;
import dev.convnet.train.Evaluation;
import dev.convnet.train.History;
import dev.convnet.train.Metrics;
import dev.convnet.train.TrainingRun;
import dev.convnet.viz.Figures;
import dev.convnet.viz.NamedTensors;
import dev.convnet.viz.Report;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code convnet figures}: (re)draws a run's figures and report from its SavedModel and metrics. */
@Command(name = "figures", mixinStandardHelpOptions = true,
    description = "Draw a finished run's figures (figures/*.png) and report.html again, from its saved_model and metrics.json.")
final class FiguresCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--run-dir", paramLabel = "DIR", required = true, description = "A run directory written by 'convnet train'.")
  Path runDir;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    if (!Files.isRegularFile(runDir.resolve(Metrics.FILE_NAME))) {
      throw new IllegalArgumentException(runDir + " is not a finished run directory (no " + Metrics.FILE_NAME + ")");
    }
    JsonObject metrics = Metrics.read(runDir);
    History history = metrics.has("history") ? new Gson().fromJson(metrics.get("history"), History.class) : new History();
    FashionMnist.Data data = FashionMnist.load(dataOptions.dataDir);
    try (SavedModelClassifier model = SavedModelClassifier.load(runDir.resolve(TrainingRun.SAVED_MODEL_DIR))) {
      Evaluation test = model.evaluate(data.test());
      List<Figures.Figure> figures = Figures.drawAll(runDir.resolve(TrainingRun.FIGURES_DIR), new NamedTensors(model.session()),
          data.train(), data.test(), test, history);
      Path report = Report.write(runDir, TrainingRun.FIGURES_DIR, figures, metrics);
      PrintWriter out = spec.commandLine().getOut();
      out.println(test.accuracyLine("Test-Set"));
      out.println("Figures: " + figures.size() + " PNG files in " + runDir.resolve(TrainingRun.FIGURES_DIR) + "; open " + report);
      out.flush();
    }
    return 0;
  }
}
