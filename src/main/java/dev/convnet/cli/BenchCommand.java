package dev.convnet.cli;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.results.Evaluation;
import dev.convnet.results.Json;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convnet bench}: the speed and memory figures that every claim in the README comes from.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measure training and evaluation speed on the real data, step times, memory and start-up"
          + " time.",
      "Each figure is measured after a warm-up, over a window of --seconds; compare figures only"
          + " within one run."
    })
final class BenchCommand implements Callable<Integer> {
  /** The benchmark's learning rate: any small constant rate trains at the same speed. */
  private static final float BENCH_LEARNING_RATE = 1e-3f;

  /** The larger batch measured besides the notebook's 64. */
  private static final int LARGE_BATCH = 256;

  /** Steps run before RSS is read, so start-up allocations do not count. */
  private static final int MEMORY_WARMUP_STEPS = 500;

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

  @Mixin CommonOptions.PrecisionChoice precisionChoice = new CommonOptions.PrecisionChoice();

  @Option(
      names = "--json",
      paramLabel = "FILE",
      description = "Also write the figures as one JSON object to FILE.")
  Path json;

  private PrintWriter out;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() throws IOException {
    if (!(seconds > 0) || memorySteps < 0 || profileSteps <= 0) {
      throw new IllegalArgumentException(
          "--seconds and --profile-steps must be positive and --memory-steps 0 or more");
    }
    if (json != null && Files.isDirectory(json)) {
      throw new IllegalArgumentException("--json " + json + " is a folder; give a file name");
    }
    Precisions.require(precisionChoice.precision);
    out = spec.commandLine().getOut();
    FashionMnist.Data data = FashionMnist.load(dataOptions.dataDir);
    Split split = Split.of(data, TrainConfig.VALIDATION_SIZE);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("precision", precisionChoice.precision.flag());

    Window b64 = train(split, TrainConfig.BATCH_SIZE, figures);
    figures.put("train_images_per_second_b64", Math.round(b64.imagesPerSecond()));
    report("train images/s, batch " + TrainConfig.BATCH_SIZE, b64.imagesPerSecond());
    figures.put("step_ms_p50", round2(b64.percentileMs(50)));
    figures.put("step_ms_p95", round2(b64.percentileMs(95)));
    report("step time p50 (ms), batch " + TrainConfig.BATCH_SIZE, b64.percentileMs(50));
    report("step time p95 (ms), batch " + TrainConfig.BATCH_SIZE, b64.percentileMs(95));

    Window b256 = train(split, LARGE_BATCH, figures);
    figures.put("train_images_per_second_b256", Math.round(b256.imagesPerSecond()));
    report("train images/s, batch " + LARGE_BATCH, b256.imagesPerSecond());

    double eval = evaluate(split);
    figures.put("eval_images_per_second", Math.round(eval));
    report("eval images/s, batch " + Evaluation.TEST_BATCH_SIZE, eval);

    if (memorySteps > 0) {
      long[] rss = memory(split);
      figures.put("rss_mb_before_long_window", rss[0]);
      figures.put("rss_mb_after_long_window", rss[1]);
      figures.put("long_window_steps", memorySteps);
      report("RSS (MB) before " + memorySteps + " steps", rss[0]);
      report("RSS (MB) after " + memorySteps + " steps", rss[1]);
    }
    if (profile) {
      Map<String, Double> shares = profile(split);
      figures.put("profile", shares);
      out.printf(
          "op time by type, batch %d, %d steps traced:%n", TrainConfig.BATCH_SIZE, profileSteps);
      shares.forEach((op, share) -> out.printf("  %-44s %5.1f%%%n", op, 100 * share));
    }
    figures.put("peak_rss_mb", procStatusMb("VmHWM"));
    report("peak RSS (MB)", procStatusMb("VmHWM"));
    report("start to first step (s)", (Double) figures.get("start_to_first_step_s"));
    figures.put("cores", Runtime.getRuntime().availableProcessors());
    if (json != null) {
      Files.writeString(json, Json.GSON.toJson(figures) + "\n");
      out.println("wrote " + json);
    }
    out.flush();
    return 0;
  }

  /** Step times of one measuring window. */
  private record Window(int batchSize, List<Long> stepNanos, double seconds) {
    double imagesPerSecond() {
      return stepNanos.size() * (double) batchSize / seconds;
    }

    double percentileMs(double p) {
      long[] sorted = stepNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }
  }

  /**
   * Runs {@code work} with a trainer of a fresh notebook network at {@code batchSize} and a
   * constant rate, and closes the network after.
   */
  private static <T> T withTrainer(Split split, int batchSize, Function<Trainer, T> work) {
    TrainConfig config =
        TrainConfig.NOTEBOOK
            .withBatchSize(batchSize)
            .withLearningRate(BENCH_LEARNING_RATE)
            .withSeed(1);
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), 1)) {
      net.initialize();
      return work.apply(new Trainer(net, split, config, TrainingProgress.lines(System.err)));
    }
  }

  private Window train(Split split, int batchSize, Map<String, Object> figures) {
    return withTrainer(split, batchSize, trainer -> measure(trainer, batchSize, figures));
  }

  private Window measure(Trainer trainer, int batchSize, Map<String, Object> figures) {
    long warmupEnd = System.nanoTime() + (long) (Math.min(3, seconds / 3) * 1e9);
    List<Long> steps = new ArrayList<>();
    long windowStart = 0;
    while (true) {
      long t0 = System.nanoTime();
      trainer.step(null);
      long t1 = System.nanoTime();
      if (!figures.containsKey("start_to_first_step_s")) {
        long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        figures.put(
            "start_to_first_step_s", round2((System.currentTimeMillis() - startMillis) / 1e3));
      }
      if (windowStart == 0) {
        if (t1 >= warmupEnd) {
          windowStart = t1;
        }
        continue;
      }
      steps.add(t1 - t0);
      if (t1 - windowStart >= seconds * 1e9) {
        return new Window(batchSize, steps, steps.stream().mapToLong(Long::longValue).sum() / 1e9);
      }
    }
  }

  private double evaluate(Split split) {
    return withTrainer(
        split,
        TrainConfig.BATCH_SIZE,
        trainer -> {
          trainer.evaluate(split.validation()); // warm-up
          long start = System.nanoTime();
          long images = 0;
          while (System.nanoTime() - start < seconds * 1e9) {
            images += trainer.evaluate(split.test()).total();
          }
          return images / ((System.nanoTime() - start) / 1e9);
        });
  }

  private long[] memory(Split split) {
    return withTrainer(split, TrainConfig.BATCH_SIZE, this::memory);
  }

  private long[] memory(Trainer trainer) {
    long before = 0;
    for (long i = 0; i < MEMORY_WARMUP_STEPS + memorySteps; i++) {
      if (i == MEMORY_WARMUP_STEPS) {
        before = procStatusMb("VmRSS");
      }
      trainer.step(null);
    }
    return new long[] {before, procStatusMb("VmRSS")};
  }

  /**
   * Each op type's share of the traced op time, largest first. TensorFlow reports every op's start
   * and end relative to the step; their sum by the type in the timeline label ("name = Type(...)")
   * is where a step's time goes.
   */
  private Map<String, Double> profile(Split split) {
    return withTrainer(split, TrainConfig.BATCH_SIZE, this::profile);
  }

  private Map<String, Double> profile(Trainer trainer) {
    for (int i = 0; i < 50; i++) {
      trainer.step(null); // warm-up: oneDNN picks and caches its kernels
    }
    Map<String, Long> micros = new LinkedHashMap<>();
    long total = 0;
    for (int i = 0; i < profileSteps; i++) {
      RunMetadata.Builder trace = RunMetadata.newBuilder();
      trainer.step(trace);
      for (DeviceStepStats device : trace.getStepStats().getDevStatsList()) {
        for (NodeExecStats node : device.getNodeStatsList()) {
          long t = node.getAllEndRelMicros();
          micros.merge(opType(node), t, Long::sum);
          total += t;
        }
      }
    }
    Map<String, Double> shares = new LinkedHashMap<>();
    long sum = Math.max(1, total);
    micros.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .filter(e -> e.getValue() * 1000 >= sum) // under 0.1%: noise
        .forEach(e -> shares.put(e.getKey(), round4((double) e.getValue() / sum)));
    return shares;
  }

  /** "conv/MaxPool = MaxPool(...)" gives "MaxPool"; the node name when there is no label. */
  private static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = label.indexOf('(', Math.max(eq, 0));
    if (eq >= 0 && paren > eq) {
      return label.substring(eq + 3, paren).trim();
    }
    return node.getNodeName();
  }

  /** A memory figure from /proc/self/status in MB, or -1 where there is no /proc (not Linux). */
  static long procStatusMb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private void report(String name, double value) {
    out.printf("%-34s %,12.1f%n", name, value);
    out.flush();
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round4(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
