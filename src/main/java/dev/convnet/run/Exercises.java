package dev.convnet.run;

import dev.convnet.data.BatchSource;
import dev.convnet.data.FashionMnist;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Activation;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.results.Formats;
import dev.convnet.results.Machine;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainConfig.Length;
import dev.convnet.viz.AccuracyChart;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

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
   * One setting an experiment changes: a field of {@code ModelConfig} or {@code TrainConfig} and
   * its value as a person writes it ("true" for a switch).
   */
  public record Change(String field, String value) {}

  /**
   * One experiment.
   *
   * @param exercise the tutorial's exercise number
   * @param changes the settings it changes from the notebook's network and the default recipe
   * @param model the network
   * @param training the training settings
   */
  public record Experiment(
      int exercise, List<Change> changes, ModelConfig model, TrainConfig training) {
    /** The changes as {@code name value} pairs, each setting named by {@code name}. */
    public String describe(UnaryOperator<String> name) {
      StringBuilder sb = new StringBuilder();
      for (Change c : changes) {
        sb.append(sb.length() == 0 ? "" : " ").append(name.apply(c.field()));
        if (!c.value().equals("true")) {
          sb.append(' ').append(c.value());
        }
      }
      return sb.toString();
    }

    /** A folder name: the exercise and its changes. */
    public String slug() {
      String f = describe(UnaryOperator.identity()).toLowerCase(Locale.ROOT);
      f = f.isEmpty() ? "baseline" : f.replaceAll("[^a-z0-9.]+", "-").replaceAll("^-|-$", "");
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
    list.add(new Experiment(1, List.of(), net, base));
    list.add(new Experiment(1, changes("seed", 42), net, base.withSeed(TrainConfig.SEED)));
    for (long seed : OTHER_SEEDS) {
      list.add(new Experiment(1, changes("seed", seed), net, base.withSeed(seed)));
    }
    long longer =
        quick ? QUICK_ITERATIONS + QUICK_MORE_ITERATIONS : defaultIterations() + MORE_ITERATIONS;
    list.add(
        new Experiment(
            2, changes("iterations", longer), net, base.withLength(Length.iterations(longer))));
    for (float rate : new float[] {1e-4f, 5e-4f, 1e-2f}) {
      String plain = new BigDecimal(Float.toString(rate)).stripTrailingZeros().toPlainString();
      list.add(new Experiment(3, changes("learningRate", plain), net, base.withLearningRate(rate)));
    }
    list.add(
        new Experiment(
            4,
            changes("numFilters1", 32, "numFilters2", 64, "fcSize", 256),
            net.withNumFilters1(32).withNumFilters2(64).withFcSize(256),
            base));
    list.add(
        new Experiment(
            4,
            changes("filterSize1", 3, "filterSize2", 3),
            net.withFilterSize1(3).withFilterSize2(3),
            base));
    for (float rate : new float[] {0.25f, 0.5f}) {
      list.add(new Experiment(5, changes("dropout", rate), net.withDropout(rate), base));
    }
    ModelConfig sigmoid = net.withActivation(Activation.SIGMOID);
    ModelConfig avg = net.withPooling(Pooling.AVG);
    list.add(new Experiment(6, changes("poolFirst", true), net.withPoolFirst(true), base));
    list.add(new Experiment(6, changes("activation", "sigmoid"), sigmoid, base));
    list.add(
        new Experiment(
            6,
            changes("activation", "sigmoid", "poolFirst", true),
            sigmoid.withPoolFirst(true),
            base));
    list.add(new Experiment(6, changes("pooling", "avg"), avg, base));
    list.add(
        new Experiment(
            6, changes("pooling", "avg", "poolFirst", true), avg.withPoolFirst(true), base));
    list.add(new Experiment(7, changes("convLayers", 3), net.withConvLayers(3), base));
    list.add(new Experiment(7, changes("fcLayers", 2), net.withFcLayers(2), base));
    list.add(
        new Experiment(
            7,
            changes("convLayers", 3, "fcLayers", 2),
            net.withConvLayers(3).withFcLayers(2),
            base));
    for (int[] s : SMALLER) {
      list.add(
          new Experiment(
              8,
              changes("numFilters1", s[0], "numFilters2", s[1], "fcSize", s[2]),
              net.withNumFilters1(s[0]).withNumFilters2(s[1]).withFcSize(s[2]),
              base));
    }
    list.add(new Experiment(9, changes("reluLast", true), net.withReluLast(true), base));
    list.add(new Experiment(10, changes("pooling", "none"), net.withPooling(Pooling.NONE), base));
    list.add(
        new Experiment(11, changes("pooling", "stride"), net.withPooling(Pooling.STRIDE), base));
    return list;
  }

  /** Exercise 8's sweep below the notebook's 16, 36, 128 (filters 1, filters 2, fc size). */
  public static final List<int[]> SMALLER =
      List.of(
          new int[] {8, 16, 64}, new int[] {4, 8, 32}, new int[] {2, 4, 16}, new int[] {1, 2, 8});

  /** Changes from alternating field names and values. */
  private static List<Change> changes(Object... fieldsAndValues) {
    List<Change> list = new ArrayList<>();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      list.add(new Change((String) fieldsAndValues[i], String.valueOf(fieldsAndValues[i + 1])));
    }
    return List.copyOf(list);
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
    DataSource once = data.loadedOnce(TrainConfig.VALIDATION_SIZE);
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

  /** The files {@link #write} leaves in its folder. */
  public static final String TABLE_FILE = "exercises.md";

  /** The block of a docs page that the table replaces. */
  public static final String DOC_BLOCK = "exercises-table";

  public static final String CHART_FILE = "exercise8.png";

  /**
   * Writes the table of {@code outcomes} ({@link #TABLE_FILE}) and, when exercise 8 ran, its chart
   * of accuracy against parameters ({@link #CHART_FILE}) into {@code folder}; settings are named by
   * {@code name}. Returns the files written.
   */
  public static List<Path> write(Path folder, List<Outcome> outcomes, UnaryOperator<String> name)
      throws IOException {
    List<Path> written = new ArrayList<>();
    Path table = folder.resolve(TABLE_FILE);
    Files.writeString(
        table, Machine.current().stamp("scripts/exercises") + "\n\n" + table(outcomes, name));
    written.add(table);
    List<AccuracyChart.Point> sweep =
        outcomes.stream()
            .filter(o -> o.experiment().exercise() == 8 || o.experiment().changes().isEmpty())
            .map(
                o ->
                    new AccuracyChart.Point(
                        o.experiment().model().numFilters1()
                            + "/"
                            + o.experiment().model().numFilters2()
                            + "/"
                            + o.experiment().model().fcSize(),
                        o.parameters(),
                        o.testAccuracy()))
            .toList();
    if (sweep.size() > 1) {
      Path chart = folder.resolve(CHART_FILE);
      AccuracyChart.write(
          chart,
          new AccuracyChart.Axes(
              "Exercise 8: accuracy against size", "trainable parameters (log scale)", true),
          sweep);
      written.add(chart);
    }
    return written;
  }

  /**
   * The Markdown table of {@code outcomes}, each setting named by {@code name}, with exercise 1's
   * mean and spread over its seeds.
   */
  public static String table(List<Outcome> outcomes, UnaryOperator<String> name) {
    StringBuilder md = new StringBuilder();
    boolean quick =
        outcomes.stream()
            .anyMatch(
                o ->
                    o.experiment().training().length().equals(Length.iterations(QUICK_ITERATIONS)));
    md.append("Each row is `scripts/convnet train` with its flags")
        .append(
            quick
                ? " and `" + name.apply("iterations") + " " + QUICK_ITERATIONS + "` (a quick pass)"
                : "")
        .append("; the others are the default recipe's.\n\n");
    md.append("| exercise | flags | test accuracy | training time | parameters |\n");
    md.append("| --- | --- | --- | --- | --- |\n");
    for (Outcome o : outcomes) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s (%d) | %.0f s | %,d |%n",
              o.experiment().exercise(),
              o.experiment().changes().isEmpty()
                  ? "(the default recipe)"
                  : "`" + o.experiment().describe(name) + "`",
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
    if (seeds.size() > 2) {
      // The first two runs are seed 42 twice (the default recipe, then --seed 42): the spread
      // counts each seed once.
      List<Double> distinct = seeds.subList(1, seeds.size());
      double mean = distinct.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      double sd =
          Math.sqrt(
              distinct.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum()
                  / (distinct.size() - 1));
      md.append(
          String.format(
              Locale.ROOT,
              "%nExercise 1 over its %d seeds: mean %.2f%%, standard deviation %.2f points; the two"
                  + " runs with seed 42 %s.%n",
              distinct.size(),
              100 * mean,
              100 * sd,
              seeds.get(0).equals(seeds.get(1)) ? "gave the same count, bit for bit" : "differed"));
    }
    return md.toString();
  }
}
