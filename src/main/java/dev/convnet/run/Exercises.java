package dev.convnet.run;

import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.results.Formats;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainConfig.Length;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The tutorial's exercises as experiments: each a set of flags on the notebook's network and the
 * default recipe, so a reader can rerun any row with {@code scripts/convnet train FLAGS}.
 */
public final class Exercises {
  /** Seeds of exercise 1 besides the recipe's own 42, run twice to show bit-identical repeats. */
  public static final List<Long> OTHER_SEEDS = List.of(1L, 2L, 3L);

  /** Exercise 2's extra iterations. */
  public static final long MORE_ITERATIONS = 10_000;

  /** A quick pass trains every experiment this long instead of the default recipe's 5 epochs. */
  public static final long QUICK_ITERATIONS = 400;

  /** ...and exercise 2 this much longer. */
  public static final long QUICK_MORE_ITERATIONS = 1_000;

  /**
   * One experiment.
   *
   * @param exercise the tutorial's exercise number
   * @param flags what a user adds to {@code scripts/convnet train} for it
   * @param model the network
   * @param training the training settings
   */
  public record Experiment(int exercise, String flags, ModelConfig model, TrainConfig training) {
    /** A folder name: the exercise and its flags. */
    public String slug() {
      String f =
          flags.isEmpty()
              ? "baseline"
              : flags.replaceAll("[^a-z0-9.]+", "-").replaceAll("^-|-$", "");
      return String.format("%02d-%s", exercise, f);
    }
  }

  private Exercises() {}

  /** Every experiment; with {@code quick}, each trains {@link #QUICK_ITERATIONS} iterations. */
  public static List<Experiment> all(boolean quick) {
    ModelConfig net = ModelConfig.notebook();
    TrainConfig base =
        quick
            ? TrainConfig.DEFAULT.withLength(Length.iterations(QUICK_ITERATIONS))
            : TrainConfig.DEFAULT;
    List<Experiment> list = new ArrayList<>();
    list.add(new Experiment(1, "", net, base));
    list.add(new Experiment(1, "--seed 42", net, base.withSeed(TrainConfig.SEED)));
    for (long seed : OTHER_SEEDS) {
      list.add(new Experiment(1, "--seed " + seed, net, base.withSeed(seed)));
    }
    long longer =
        quick ? QUICK_ITERATIONS + QUICK_MORE_ITERATIONS : defaultIterations() + MORE_ITERATIONS;
    list.add(
        new Experiment(
            2, "--iterations " + longer, net, base.withLength(Length.iterations(longer))));
    for (float rate : new float[] {1e-4f, 5e-4f, 1e-2f}) {
      String plain = new BigDecimal(Float.toString(rate)).stripTrailingZeros().toPlainString();
      list.add(new Experiment(3, "--learning-rate " + plain, net, base.withLearningRate(rate)));
    }
    list.add(new Experiment(4, sizes(32, 64, 256), net.withSizes(5, 32, 5, 64, 256), base));
    list.add(
        new Experiment(
            4, "--filter-size1 3 --filter-size2 3", net.withSizes(3, 16, 3, 36, 128), base));
    for (float rate : new float[] {0.25f, 0.5f}) {
      list.add(
          new Experiment(
              5,
              "--dropout " + rate,
              variant(net, 2, 1, Pooling.MAX, false, Activation.RELU, false, rate),
              base));
    }
    list.add(
        new Experiment(
            6,
            "--pool-first",
            variant(net, 2, 1, Pooling.MAX, true, Activation.RELU, false, 0),
            base));
    list.add(
        new Experiment(
            6,
            "--activation sigmoid",
            variant(net, 2, 1, Pooling.MAX, false, Activation.SIGMOID, false, 0),
            base));
    list.add(
        new Experiment(
            6,
            "--activation sigmoid --pool-first",
            variant(net, 2, 1, Pooling.MAX, true, Activation.SIGMOID, false, 0),
            base));
    list.add(
        new Experiment(
            6,
            "--pooling avg",
            variant(net, 2, 1, Pooling.AVG, false, Activation.RELU, false, 0),
            base));
    list.add(
        new Experiment(
            6,
            "--pooling avg --pool-first",
            variant(net, 2, 1, Pooling.AVG, true, Activation.RELU, false, 0),
            base));
    list.add(
        new Experiment(
            7,
            "--conv-layers 3",
            variant(net, 3, 1, Pooling.MAX, false, Activation.RELU, false, 0),
            base));
    list.add(
        new Experiment(
            7,
            "--fc-layers 2",
            variant(net, 2, 2, Pooling.MAX, false, Activation.RELU, false, 0),
            base));
    list.add(
        new Experiment(
            7,
            "--conv-layers 3 --fc-layers 2",
            variant(net, 3, 2, Pooling.MAX, false, Activation.RELU, false, 0),
            base));
    for (int[] s : SMALLER) {
      list.add(
          new Experiment(8, sizes(s[0], s[1], s[2]), net.withSizes(5, s[0], 5, s[1], s[2]), base));
    }
    list.add(
        new Experiment(
            9,
            "--relu-last",
            variant(net, 2, 1, Pooling.MAX, false, Activation.RELU, true, 0),
            base));
    list.add(
        new Experiment(
            10,
            "--pooling none",
            variant(net, 2, 1, Pooling.NONE, false, Activation.RELU, false, 0),
            base));
    list.add(
        new Experiment(
            11,
            "--pooling stride",
            variant(net, 2, 1, Pooling.STRIDE, false, Activation.RELU, false, 0),
            base));
    return list;
  }

  /** Exercise 8's sweep below the notebook's 16, 36, 128 (filters 1, filters 2, fc size). */
  public static final List<int[]> SMALLER =
      List.of(
          new int[] {8, 16, 64}, new int[] {4, 8, 32}, new int[] {2, 4, 16}, new int[] {1, 2, 8});

  private static String sizes(int filters1, int filters2, int fc) {
    return "--num-filters1 " + filters1 + " --num-filters2 " + filters2 + " --fc-size " + fc;
  }

  private static ModelConfig variant(
      ModelConfig net,
      int conv,
      int fc,
      Pooling pooling,
      boolean poolFirst,
      Activation activation,
      boolean reluLast,
      float dropout) {
    return net.withVariants(conv, fc, pooling, poolFirst, activation, reluLast, dropout);
  }

  /** The default recipe's length in iterations on the 55,000 training images. */
  static long defaultIterations() {
    int train = FashionMnist.TRAIN_SIZE - TrainConfig.VALIDATION_SIZE;
    int perEpoch = BatchSource.batchesPerEpoch(train, TrainConfig.BATCH_SIZE);
    return TrainConfig.DEFAULT.length().toIterations(perEpoch);
  }

  /** What one experiment reached. */
  public record Outcome(Experiment experiment, RunResult result) {
    public double testAccuracy() {
      return result.testAccuracy();
    }

    public long parameters() {
      return result.record().results().parameterCount();
    }

    public double trainSeconds() {
      return result.record().results().trainSeconds();
    }
  }

  /**
   * Runs {@code experiments} one after the other into folders of {@code out}, on data loaded once;
   * {@code done} hears of each as it ends.
   */
  public static List<Outcome> run(
      List<Experiment> experiments, Path out, DataSource data, Consumer<Outcome> done) {
    DataSource.Loaded loaded = data.load(TrainConfig.VALIDATION_SIZE);
    DataSource once = DataSource.of(loaded.split(), loaded.description());
    List<Outcome> outcomes = new ArrayList<>();
    for (Experiment e : experiments) {
      TrainingRun.Request request =
          TrainingRun.Request.fresh(e.model(), e.training(), out.resolve(e.slug()))
              .withFigures(false);
      Outcome outcome = new Outcome(e, TrainingRun.run(request, once, line -> {}));
      outcomes.add(outcome);
      done.accept(outcome);
    }
    return outcomes;
  }

  /** The Markdown table of {@code outcomes}, with exercise 1's mean and spread over its seeds. */
  public static String table(List<Outcome> outcomes) {
    StringBuilder md = new StringBuilder();
    boolean quick =
        outcomes.stream()
            .anyMatch(
                o ->
                    o.experiment().training().length().equals(Length.iterations(QUICK_ITERATIONS)));
    md.append("Each row is `scripts/convnet train` with its flags")
        .append(quick ? " and `--iterations " + QUICK_ITERATIONS + "` (a quick pass)" : "")
        .append("; the others are the default recipe's.\n\n");
    md.append("| exercise | flags | test accuracy | training time | parameters |\n");
    md.append("| --- | --- | --- | --- | --- |\n");
    for (Outcome o : outcomes) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s (%d) | %.0f s | %,d |%n",
              o.experiment().exercise(),
              o.experiment().flags().isEmpty()
                  ? "(the default recipe)"
                  : "`" + o.experiment().flags() + "`",
              Formats.percent(o.testAccuracy()),
              o.result().test().correct(),
              o.trainSeconds(),
              o.parameters()));
    }
    List<Double> seeds =
        outcomes.stream()
            .filter(o -> o.experiment().exercise() == 1)
            .map(Outcome::testAccuracy)
            .toList();
    if (seeds.size() > 1) {
      double mean = seeds.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      double sd =
          Math.sqrt(
              seeds.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / (seeds.size() - 1));
      md.append(
          String.format(
              Locale.ROOT,
              "%nExercise 1 over its %d runs: mean %.2f%%, standard deviation %.2f points; the two runs with"
                  + " seed 42 %s.%n",
              seeds.size(),
              100 * mean,
              100 * sd,
              seeds.get(0).equals(seeds.get(1)) ? "gave the same count, bit for bit" : "differed"));
    }
    return md.toString();
  }
}
