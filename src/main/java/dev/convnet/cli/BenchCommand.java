package dev.convnet.cli;

import dev.convnet.api.Data;
import dev.convnet.api.Measurements;
import dev.convnet.api.Precisions;
import dev.convnet.bench.BenchResult;
import dev.convnet.bench.Benchmark;
import dev.convnet.bench.ServeBenchmark;
import dev.convnet.common.InvalidSettingException;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingStep;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet bench}: the speed and memory figures that every claim in the docs comes from. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measure training and evaluation speed on the real data, step times, memory and start-up"
          + " time, and name the machine (CPU model, cores, features, TensorFlow, oneDNN).",
      "Each figure is measured after a warm-up, over a window of --seconds; compare figures only"
          + " within one run on one machine."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      description = "Length of each measuring window (default: ${DEFAULT-VALUE}).")
  double seconds = 10;

  @Option(
      names = "--memory-steps",
      paramLabel = "N",
      description = "Also train N steps and report resident memory before and after (0: skip).")
  long memorySteps;

  @Option(
      names = "--profile",
      description = "Trace a few training steps and print each op type's share of the op time.")
  boolean profile;

  @Option(
      names = "--profile-steps",
      paramLabel = "N",
      description = "Steps traced by --profile (default: ${DEFAULT-VALUE}).")
  int profileSteps = 20;

  @Option(
      names = "--serve",
      description =
          "Measure serve instead: single-image requests at 1, 8 and 32 clients (requests/s, p50,"
              + " p99) and images/s at 64 images a request, against in-process evaluation.")
  boolean serve;

  @Option(
      names = "--client",
      paramLabel = "CLIENT",
      description =
          "The HTTP clients of --serve: socket (one kept-alive blocking socket each, as a load"
              + " tool's), jdk (java.net.http) or wrk (the load tool itself, on the PATH)."
              + " Default: socket.")
  ServeBenchmark.Client client = ServeBenchmark.Client.SOCKET;

  @Option(
      names = "--step",
      paramLabel = "STEP",
      description =
          "The training step to measure: fast (as train does where it applies) or notebook (In"
              + " [31] as the notebook writes it). Default: fast.")
  TrainingStep.Kind step;

  @Option(
      names = "--towers",
      paramLabel = "N",
      description =
          "The fast step shares each batch among N towers, one thread each (default: one per"
              + " core, up to 4, as train does).")
  Integer towers;

  @Mixin CommonOptions.PrecisionChoice precision = new CommonOptions.PrecisionChoice();

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the figures as one JSON object to FILE.")
  Path json;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.OwnDataOption ownData = new CommonOptions.OwnDataOption();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  /** The step --step and --towers ask for, train's where they are not given. */
  private Benchmark.Step step() {
    Benchmark.Step usual = Benchmark.Step.usual();
    TrainingStep.Kind kind = step != null ? step : usual.kind();
    int defaultTowers = kind == TrainingStep.Kind.FAST ? usual.towers() : 1;
    return new Benchmark.Step(kind, towers != null ? towers : defaultTowers);
  }

  @Override
  public Integer call() throws IOException {
    if (profileSteps <= 0) {
      throw new InvalidSettingException("profileSteps", "{profileSteps} must be positive");
    }
    if (json != null && Files.isDirectory(json)) {
      throw new InvalidSettingException(
          "json", "{json} " + json + " is a folder; give a file name");
    }
    PrintWriter out = spec.commandLine().getOut();
    TrainConfig.Precision precisionUsed =
        Precisions.resolve(
            precision.precision, Precisions.Job.TRAINING, spec.commandLine().getErr());
    Benchmark.Plan plan =
        new Benchmark.Plan(
            seconds, memorySteps, profile ? profileSteps : 0, precisionUsed.flag(), step());
    Data data = ownData.chosen(dataOptions);
    BenchResult result;
    if (!serve) {
      result = Measurements.bench(plan, data, out);
    } else if (data instanceof Data.FashionMnistFiles fashionMnist) {
      result =
          Measurements.benchServe(
              plan,
              fashionMnist,
              client,
              (model, batching) -> ServeCommand.arguments(model, batching, dataOptions.dataDir),
              out);
    } else {
      throw new IllegalArgumentException("--serve measures on Fashion-MNIST; leave out --data");
    }
    if (json != null) {
      Measurements.writeJson(result, json);
      out.println("wrote " + json);
    }
    out.flush();
    return 0;
  }
}
