package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.cli.CommandLineTest.Outcome;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.RunDirectory;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.testing.Forked;
import dev.convnet.train.Checkpoint;
import dev.convnet.train.TrainConfig;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a user may feed the command line: every failure is one line naming the thing and the fix, a
 * non-zero exit, and nothing on disk lost or mixed.
 */
class ReliabilityTest {
  @TempDir Path dir;

  @Test
  void impossibleSettingsAreRefusedBeforeAnyDataIsRead() {
    Path missing = dir.resolve("no-data-here");
    Path run = dir.resolve("run");
    String data = missing.toString();
    CommandLineTest.assertOneLineError(
        CommandLineTest.run(
            "train", "--batch-size", "60000", "--data-dir", data, "--run-dir", run.toString()),
        "--batch-size 60000 is larger than the training set (55000 images)");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run(
            "train", "--validation-size", "60000", "--data-dir", data, "--run-dir", run.toString()),
        "--validation-size 60000 leaves no training images");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run(
            "train",
            "--pooling",
            "none",
            "--pool-first",
            "--data-dir",
            data,
            "--run-dir",
            run.toString()),
        "--pool-first needs a pooling op");
    assertFalse(Files.exists(run), "nothing created");
  }

  @Test
  void aRunDirectoryInUseIsRefusedNamingIt() {
    Path run = dir.resolve("busy");
    try (RunDirectory.Lock held = RunDirectory.lock(run)) {
      Outcome o =
          CommandLineTest.run(
              "train", "--run-dir", run.toString(), "--data-dir", dir.resolve("none").toString());
      CommandLineTest.assertOneLineError(
          o, "run directory " + run + " is in use by another training process");
    }
    RunDirectory.lock(run).close(); // released with its holder
  }

  @Test
  void argumentsOfTheWrongKindSaySo() throws Exception {
    Path file = Files.writeString(dir.resolve("file.txt"), "text");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("train", "--resume", file.toString()),
        "is a file; give the run's folder");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("figures", "--run-dir", file.toString()),
        "is a file; give the run's folder");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("data", "--data-dir", file.toString()), "is a file; give the folder");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("predict", "--model", file.toString(), "x.png"),
        "is a file; give the SavedModel folder");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("train", "--resume", dir.resolve("nowhere").toString()),
        "has no checkpoint");
  }

  /**
   * A resumed run keeps the settings it started with: every flag of the sections that fix what a
   * run computes (recipe, length, schedule, run directory, precision) is refused with one line,
   * found by its section, not from a list; flags that change only how a run shows or where it runs
   * go through to the checkpoint's own check.
   */
  @Test
  void aResumedRunRefusesEveryFlagThatWouldChangeWhatItComputes() {
    String nowhere = dir.resolve("nowhere").toString();
    List<String> refused = new ArrayList<>();
    CommandLine train = Main.commandLine().getSubcommands().get("train");
    for (OptionSpec option : train.getCommandSpec().options()) {
      if (!TrainCommand.fixedByCheckpoint(option)) {
        continue;
      }
      String flag = option.longestName();
      refused.add(flag);
      List<String> args = new ArrayList<>(List.of("train", "--resume", nowhere, flag));
      if (option.arity().max() > 0) {
        args.add(sampleValue(option.type()));
      }
      CommandLineTest.assertOneLineError(
          CommandLineTest.run(args.toArray(String[]::new)),
          flag + " cannot be combined with --resume");
    }
    assertTrue(
        refused.containsAll(
            List.of(
                "--recipe",
                "--iterations",
                "--batch-size",
                "--schedule",
                "--warmup-iterations",
                "--label-smoothing",
                "--average-decay",
                "--flip-average",
                "--augment",
                "--seed",
                "--run-dir",
                "--precision")),
        refused.toString());
    for (String allowed : List.of("--no-progress", "--no-figures", "--verbose")) {
      CommandLineTest.assertOneLineError(
          CommandLineTest.run("train", "--resume", nowhere, allowed), "has no checkpoint");
    }
  }

  private String sampleValue(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "3";
    }
    if (type == Float.class || type == float.class) {
      return "0.5";
    }
    if (type == Path.class) {
      return dir.resolve("elsewhere").toString();
    }
    if (type == TrainConfig.class) {
      return "fast";
    }
    if (type == TrainConfig.Schedule.class) {
      return "constant";
    }
    return "fp32";
  }

  /**
   * serve's --model: a missing folder, a folder that is neither a SavedModel nor a base path of
   * numbered versions, and a damaged SavedModel each get one line naming the flag, before it
   * listens; train's --export-base of a file likewise, before it trains.
   */
  @Test
  void serveAndExportRefuseWhatTheyCannotUseInOneLine() throws Exception {
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("serve", "--model", dir.resolve("nowhere").toString(), "--port", "0"),
        "--model " + dir.resolve("nowhere") + ": no such folder");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("serve", "--model", empty.toString(), "--port", "0"),
        "is neither a SavedModel (no saved_model.pb) nor a base path of numbered versions");
    Path damaged = exportedModel("damaged");
    Files.writeString(damaged.resolve("saved_model.pb"), "half a file");
    Outcome broken = CommandLineTest.run("serve", "--model", damaged.toString(), "--port", "0");
    assertTrue(broken.exitCode() != 0);
    assertEquals(1, broken.err().strip().lines().count(), broken.err());
    Path file = Files.writeString(dir.resolve("models.txt"), "notes");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run(
            "train", "--export-base", file.toString(), "--run-dir", dir.resolve("r").toString()),
        "--export-base " + file + " is a file");
    assertEquals("notes", Files.readString(file));
    assertFalse(Files.exists(dir.resolve("r")));
  }

  /** A model of the notebook's network, untrained: enough to load, classify and damage. */
  private Path exportedModel(String name) {
    Path model = dir.resolve(name);
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), 1)) {
      net.initialize();
      ModelExport.export(net, model);
    }
    return model;
  }

  @Test
  void aDamagedModelNamesItsFolderAndWhatIsWrong() throws Exception {
    Path image = dir.resolve("shoe.png");
    ImageIO.write(new BufferedImage(30, 30, BufferedImage.TYPE_BYTE_GRAY), "png", image.toFile());
    Path healthy = exportedModel("healthy");
    Outcome ok =
        CommandLineTest.run(
            "predict", "--model", healthy.toString(), image.toString(), dir.toString());
    assertEquals(1, ok.exitCode(), "one file failed, the other was classified");
    assertTrue(ok.out().startsWith(image + ": "), ok.out());
    assertTrue(ok.err().contains(dir + ": is a folder; give image files"), ok.err());

    Path noIndex = exportedModel("no-index");
    Files.delete(noIndex.resolve("variables").resolve("variables.index"));
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("predict", "--model", noIndex.toString(), image.toString()),
        "the SavedModel in "
            + noIndex
            + " is damaged: variables/variables.index is missing or empty");

    Path truncated = exportedModel("truncated");
    Path data;
    try (var files = Files.list(truncated.resolve("variables"))) {
      data =
          files
              .filter(p -> p.getFileName().toString().startsWith("variables.data"))
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(bytes, bytes.length / 2));
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("predict", "--model", truncated.toString(), image.toString()),
        "the SavedModel in " + truncated + " is damaged: TensorFlow cannot load it");

    Path noGraph = exportedModel("no-graph");
    Files.delete(noGraph.resolve("saved_model.pb"));
    CommandLineTest.assertOneLineError(
        CommandLineTest.run(
            "evaluate", "--model", noGraph.toString(), "--data-dir", dir.toString()),
        "is not a SavedModel (no saved_model.pb)");
  }

  /**
   * Starts training in a fresh JVM and returns once it prints {@code line}, with what it printed.
   */
  /** A training process and the thread that reads its output until it ends. */
  private record Training(Process process, Thread reader) {}

  private static Training startTraining(Path run, List<String> printed, String line)
      throws Exception {
    Process p =
        Forked.java(
                Main.class,
                "train",
                "--iterations",
                "100000",
                "--no-figures",
                "--no-progress",
                "--run-dir",
                run.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String l; (l = out.readLine()) != null; ) {
                  synchronized (printed) {
                    printed.add(l);
                  }
                }
              } catch (Exception e) {
                // the process ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && p.isAlive()) {
      synchronized (printed) {
        if (printed.stream().anyMatch(l -> l.startsWith(line))) {
          return new Training(p, reader);
        }
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new AssertionError("training never printed '" + line + "': " + printed);
  }

  private static void signal(Process p, String name) throws Exception {
    assertEquals(
        0, new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor());
  }

  @Test
  @Tag("realdata")
  void ctrlCAndSigtermStopAfterAStepWithACheckpointAndSayHowToContinue() throws Exception {
    for (String signal : new String[] {"INT", "TERM"}) {
      Path run = dir.resolve("signal-" + signal);
      List<String> printed = new ArrayList<>();
      Training training = startTraining(run, printed, "Optimization Iteration:    101,");
      Process p = training.process();

      // A second process into the same run directory, while the first trains, is refused.
      Outcome second = CommandLineTest.run("train", "--run-dir", run.toString(), "--force");
      CommandLineTest.assertOneLineError(second, "is in use by another training process");

      signal(p, signal);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped");
      assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), printed.toString());
      training.reader().join(TimeUnit.SECONDS.toMillis(30)); // every line the process printed
      assertFalse(training.reader().isAlive(), "the output ended with the process");
      String all;
      synchronized (printed) {
        all = String.join("\n", printed);
      }
      assertTrue(all.contains("stopping after this step and writing a checkpoint"), all);
      assertTrue(all.contains("Continue with: scripts/convnet train --resume " + run), all);
      long at = Checkpoint.readState(run).iteration();
      assertTrue(at > 100 && at < 100_000, "checkpoint at " + at);
      RunDirectory.lock(run).close(); // the lock died with the process
    }
  }
}
