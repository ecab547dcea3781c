package dev.convnet.cli;

import com.google.gson.GsonBuilder;
import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code convnet bench}: the speed and memory figures that every claim in the README comes from. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Measure training and evaluation speed on the real data, step times, memory and start-up time.",
        "Each figure is measured after a warm-up, over a window of --seconds; compare figures only within one run."})
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seconds", paramLabel = "S", defaultValue = "10", description = "Length of each measuring window (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--memory-steps", paramLabel = "N", defaultValue = "0",
      description = "Also train N steps and report resident memory before and after (0: skip; the README's figure used 50000).")
  long memorySteps;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as one JSON object to FILE.")
  Path json;

  private PrintWriter out;

  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() throws IOException {
    if (!(seconds > 0) || memorySteps < 0) {
      throw new IllegalArgumentException("--seconds must be positive and --memory-steps 0 or more");
    }
    if (json != null && Files.isDirectory(json)) {
      throw new IllegalArgumentException("--json " + json + " is a folder; give a file name");
    }
    out = spec.commandLine().getOut();
    FashionMnist.Data data = FashionMnist.load(dataOptions.dataDir);
    Split split = Split.of(data, Split.NOTEBOOK_VALIDATION_SIZE);
    Map<String, Object> figures = new LinkedHashMap<>();

    Window b64 = train(split, 64, true, figures);
    figures.put("train_images_per_second_b64", round(b64.imagesPerSecond()));
    report("train images/s, batch 64", b64.imagesPerSecond());
    figures.put("step_ms_p50", round2(b64.percentileMs(50)));
    figures.put("step_ms_p95", round2(b64.percentileMs(95)));
    report("step time p50 (ms), batch 64", b64.percentileMs(50));
    report("step time p95 (ms), batch 64", b64.percentileMs(95));

    Window b256 = train(split, 256, false, figures);
    figures.put("train_images_per_second_b256", round(b256.imagesPerSecond()));
    report("train images/s, batch 256", b256.imagesPerSecond());

    double eval = evaluate(split);
    figures.put("eval_images_per_second", round(eval));
    report("eval images/s, batch " + Trainer.TEST_BATCH_SIZE, eval);

    if (memorySteps > 0) {
      long[] rss = memory(split);
      figures.put("rss_mb_before_long_window", rss[0]);
      figures.put("rss_mb_after_long_window", rss[1]);
      figures.put("long_window_steps", memorySteps);
      report("RSS (MB) before " + memorySteps + " steps", rss[0]);
      report("RSS (MB) after " + memorySteps + " steps", rss[1]);
    }
    figures.put("peak_rss_mb", procStatusMb("VmHWM"));
    report("peak RSS (MB)", procStatusMb("VmHWM"));
    report("start to first step (s)", (Double) figures.get("start_to_first_step_s"));
    figures.put("cores", Runtime.getRuntime().availableProcessors());
    if (json != null) {
      Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(figures) + "\n");
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

  private Window train(Split split, int batchSize, boolean first, Map<String, Object> figures) {
    ImageSet train = split.train();
    try (ConvNet net = new ConvNet(ModelConfig.notebook().withTraining(batchSize, 1e-3f, 1))) {
      net.initialize();
      BatchSource batches = new BatchSource(train.size(), batchSize, 1);
      float[] x = new float[batchSize * ModelConfig.IMG_SIZE_FLAT];
      float[] y = new float[batchSize * ModelConfig.NUM_CLASSES];
      long warmupEnd = System.nanoTime() + (long) (Math.min(3, seconds / 3) * 1e9);
      boolean measuring = false;
      List<Long> steps = new ArrayList<>();
      long windowStart = 0;
      while (true) {
        long t0 = System.nanoTime();
        int[] batch = batches.next();
        int n = batch.length;
        train.fillBatch(batch, x, y, 0f);
        net.trainStep(x, y, n, 1e-3f);
        long t1 = System.nanoTime();
        if (first && !figures.containsKey("start_to_first_step_s")) {
          double sinceStart = System.currentTimeMillis() / 1e3 - ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3;
          figures.put("start_to_first_step_s", round2(sinceStart));
        }
        if (!measuring && t1 >= warmupEnd) {
          measuring = true;
          windowStart = t1;
          continue;
        }
        if (measuring) {
          if (n == batchSize) {
            steps.add(t1 - t0);
          }
          if (t1 - windowStart >= seconds * 1e9) {
            return new Window(batchSize, steps, steps.stream().mapToLong(Long::longValue).sum() / 1e9);
          }
        }
      }
    }
  }

  private double evaluate(Split split) {
    try (ConvNet net = new ConvNet(ModelConfig.notebook())) {
      net.initialize();
      Trainer.evaluate(net, split.validation()); // warm-up
      long start = System.nanoTime();
      long images = 0;
      while (System.nanoTime() - start < seconds * 1e9) {
        images += Trainer.evaluate(net, split.test()).total();
      }
      return images / ((System.nanoTime() - start) / 1e9);
    }
  }

  private long[] memory(Split split) {
    ImageSet train = split.train();
    try (ConvNet net = new ConvNet(ModelConfig.notebook().withTraining(64, 1e-3f, 1))) {
      net.initialize();
      BatchSource batches = new BatchSource(train.size(), 64, 1);
      float[] x = new float[64 * ModelConfig.IMG_SIZE_FLAT];
      float[] y = new float[64 * ModelConfig.NUM_CLASSES];
      long before = 0;
      for (long i = 0; i < 500 + memorySteps; i++) {
        if (i == 500) {
          before = procStatusMb("VmRSS"); // after a warm-up, so start-up allocations do not count
        }
        int[] batch = batches.next();
        train.fillBatch(batch, x, y, 0f);
        net.trainStep(x, y, batch.length, 1e-3f);
      }
      return new long[] {before, procStatusMb("VmRSS")};
    }
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

  private static long round(double v) {
    return Math.round(v);
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
