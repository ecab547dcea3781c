package dev.convnet.bench;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.Split;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ThreadPolicy;
import dev.convnet.results.Evaluation;
import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingGraph;
import dev.convnet.train.TrainingProgress;
import dev.convnet.train.TrainingStep;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.tensorflow.proto.RunMetadata;

/**
 * The speed and memory figures every claim in the docs comes from: training images/s at batch 64
 * and 256 (the notebook's network, the same step {@code optimize} runs), step-time percentiles,
 * evaluation images/s, resident memory over a long window, and an op profile.
 */
public final class Benchmark {
  /** The benchmark's learning rate: any small constant rate trains at the same speed. */
  private static final float BENCH_LEARNING_RATE = 1e-3f;

  /** The larger batch measured besides the notebook's 64. */
  public static final int LARGE_BATCH = 256;

  /** Steps run before RSS is read, so start-up allocations do not count. */
  private static final int MEMORY_WARMUP_STEPS = 500;

  /** Steps before a profile: oneDNN picks and caches its kernels. */
  private static final int PROFILE_WARMUP_STEPS = 50;

  /**
   * What to measure.
   *
   * @param seconds the length of each measuring window
   * @param memorySteps steps of the long memory window; 0 to skip it
   * @param profileSteps steps traced for the op profile; 0 to skip it
   * @param precision the precision the process computes in, as recorded
   * @param step how the training step is computed ({@link Step#usual()}: as {@code train} does)
   */
  public record Plan(
      double seconds, long memorySteps, int profileSteps, String precision, Step step) {
    public Plan {
      Objects.requireNonNull(step, "step");
      if (!(seconds > 0)) {
        throw new InvalidSettingException("seconds", "{seconds} must be positive, got " + seconds);
      }
      if (memorySteps < 0) {
        throw new InvalidSettingException(
            "memorySteps", "{memorySteps} must be 0 or more, got " + memorySteps);
      }
      if (profileSteps < 0) {
        throw new InvalidSettingException(
            "profileSteps", "{profileSteps} must be 0 or more, got " + profileSteps);
      }
    }
  }

  /**
   * A way to compute the training step, to compare with the others.
   *
   * @param kind the notebook's step, or the fast one
   * @param towers towers the fast step shares each batch among, one intra-op thread each when more
   *     than one; 1 for the notebook's step
   */
  public record Step(TrainingStep.Kind kind, int towers) {
    public Step {
      if (towers < 1) {
        throw new InvalidSettingException("towers", "{towers} must be positive, got " + towers);
      }
      if (kind == TrainingStep.Kind.NOTEBOOK && towers != 1) {
        throw new InvalidSettingException(
            "towers", "{towers} applies to the fast step; the notebook's has one tower");
      }
    }

    /** The step {@code train} takes on this CPU for the notebook's network. */
    public static Step usual() {
      return new Step(TrainingStep.Kind.FAST, ThreadPolicy.towerPerCore().towers());
    }

    ThreadPolicy threads() {
      return kind == TrainingStep.Kind.FAST
          ? ThreadPolicy.towers(towers)
          : ThreadPolicy.wholeBatch();
    }
  }

  private final Plan plan;
  private final Split split;
  private final PrintWriter out;
  private Double startToFirstStep;

  /** Measures on {@code split}, printing each figure to {@code out} as it comes. */
  public Benchmark(Plan plan, Split split, PrintWriter out) {
    this.plan = plan;
    this.split = split;
    this.out = out;
  }

  /** Runs every measurement the plan asks for. */
  public BenchResult run() {
    BenchResult r = started();
    StepWindow b64 = withTrainer(TrainConfig.BATCH_SIZE, this::measure);
    r.trainImagesPerSecondB64 = Math.round(b64.imagesPerSecond());
    r.stepMsP50 = round(b64.percentileMs(50), 2);
    r.stepMsP95 = round(b64.percentileMs(95), 2);
    report("train images/s, batch " + TrainConfig.BATCH_SIZE, b64.imagesPerSecond());
    report("step time p50 (ms), batch " + TrainConfig.BATCH_SIZE, r.stepMsP50);
    report("step time p95 (ms), batch " + TrainConfig.BATCH_SIZE, r.stepMsP95);

    StepWindow b256 = withTrainer(LARGE_BATCH, this::measure);
    r.trainImagesPerSecondB256 = Math.round(b256.imagesPerSecond());
    report("train images/s, batch " + LARGE_BATCH, b256.imagesPerSecond());

    double eval = evaluationImagesPerSecond();
    r.evalImagesPerSecond = Math.round(eval);
    report("eval images/s, batch " + Evaluation.TEST_BATCH_SIZE, eval);

    if (plan.memorySteps() > 0) {
      long[] rss = withTrainer(TrainConfig.BATCH_SIZE, this::memory);
      r.rssMbBeforeLongWindow = rss[0];
      r.rssMbAfterLongWindow = rss[1];
      r.longWindowSteps = plan.memorySteps();
      report("RSS (MB) before " + plan.memorySteps() + " steps", rss[0]);
      report("RSS (MB) after " + plan.memorySteps() + " steps", rss[1]);
    }
    if (plan.profileSteps() > 0) {
      r.profile = withTrainer(TrainConfig.BATCH_SIZE, this::profile).shares();
      out.printf(
          "op time by type, batch %d, %d steps traced:%n",
          TrainConfig.BATCH_SIZE, plan.profileSteps());
      r.profile.forEach((op, share) -> out.printf("  %-44s %5.1f%%%n", op, 100 * share));
    }
    r.peakRssMb = ProcStatus.megabytes("VmHWM");
    r.startToFirstStepS = startToFirstStep;
    report("peak RSS (MB)", r.peakRssMb);
    report("start to first step (s)", r.startToFirstStepS);
    return r;
  }

  /** Only the serving figures of {@code serving}, with the machine. */
  public BenchResult serve(ServeBenchmark serving) {
    BenchResult r = started();
    r.serve = serving.run();
    return r;
  }

  /** A result naming this machine, its first line printed. */
  private BenchResult started() {
    BenchResult r = new BenchResult(Machine.current(), plan.precision());
    r.towers = plan.step().towers();
    r.explicitBackward = plan.step().kind() == TrainingStep.Kind.FAST;
    out.println(
        r.cpuModel
            + ", "
            + r.cores
            + " cores, "
            + r.cpuFeatures
            + ", "
            + plan.precision()
            + "; training step: "
            + (r.explicitBackward
                ? "fast, " + r.towers + (r.towers == 1 ? " tower" : " towers")
                : "the notebook's (addGradients)"));
    return r;
  }

  /** Evaluation images/s on the test set, batches of {@link Evaluation#TEST_BATCH_SIZE}. */
  public double evaluationImagesPerSecond() {
    return withTrainer(
        TrainConfig.BATCH_SIZE,
        trainer -> {
          trainer.evaluate(split.validation()); // warm-up
          long start = System.nanoTime();
          long images = 0;
          while (System.nanoTime() - start < plan.seconds() * 1e9) {
            images += trainer.evaluate(split.test()).total();
          }
          return images / ((System.nanoTime() - start) / 1e9);
        });
  }

  /**
   * Runs {@code work} with a trainer of a fresh notebook network at {@code batchSize} and a
   * constant rate, and closes the network after.
   */
  private <T> T withTrainer(int batchSize, Function<Trainer, T> work) {
    TrainConfig config =
        TrainConfig.NOTEBOOK
            .withBatchSize(batchSize)
            .withLearningRate(BENCH_LEARNING_RATE)
            .withSeed(1);
    Step step = plan.step();
    try (TrainingGraph graph =
        TrainingGraph.build(
            ModelConfig.notebook().withNumClasses(split.train().numClasses()),
            config,
            step.kind(),
            Device.CPU_NAME,
            step.threads())) {
      graph.initialize();
      return work.apply(new Trainer(graph, split, TrainingProgress.lines(System.err)));
    }
  }

  /** A warm-up of a third of the window (at most 3 s), then a window of steps. */
  private StepWindow measure(Trainer trainer) {
    long warmupEnd = System.nanoTime() + (long) (Math.min(3, plan.seconds() / 3) * 1e9);
    List<Long> steps = new ArrayList<>();
    long windowStart = 0;
    while (true) {
      long t0 = System.nanoTime();
      trainer.step(null);
      long t1 = System.nanoTime();
      if (startToFirstStep == null) {
        long startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        startToFirstStep = round((System.currentTimeMillis() - startMillis) / 1e3, 2);
      }
      if (windowStart == 0) {
        windowStart = t1 >= warmupEnd ? t1 : 0;
        continue;
      }
      steps.add(t1 - t0);
      if (t1 - windowStart >= plan.seconds() * 1e9) {
        return new StepWindow(trainer.config().batchSize(), steps);
      }
    }
  }

  private long[] memory(Trainer trainer) {
    long before = 0;
    for (long i = 0; i < MEMORY_WARMUP_STEPS + plan.memorySteps(); i++) {
      if (i == MEMORY_WARMUP_STEPS) {
        before = ProcStatus.megabytes("VmRSS");
      }
      trainer.step(null);
    }
    return new long[] {before, ProcStatus.megabytes("VmRSS")};
  }

  private OpProfile profile(Trainer trainer) {
    for (int i = 0; i < PROFILE_WARMUP_STEPS; i++) {
      trainer.step(null);
    }
    OpProfile profile = new OpProfile();
    for (int i = 0; i < plan.profileSteps(); i++) {
      RunMetadata.Builder trace = RunMetadata.newBuilder();
      trainer.step(trace);
      profile.add(trace.build());
    }
    return profile;
  }

  private void report(String name, double value) {
    out.printf("%-34s %,12.1f%n", name, value);
    out.flush();
  }

  static double round(double v, int places) {
    double scale = Math.pow(10, places);
    return Math.round(v * scale) / scale;
  }
}
