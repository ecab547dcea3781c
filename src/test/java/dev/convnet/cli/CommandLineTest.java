package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's contract: help, one-line errors, non-zero exits, nothing on disk lost. */
class CommandLineTest {
  @TempDir Path dir;

  record Outcome(int exitCode, String out, String err) {}

  static Outcome run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  static void assertOneLineError(Outcome o, String expected) {
    assertTrue(o.exitCode() != 0, "exit code " + o.exitCode());
    assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    assertTrue(o.err().contains(expected), o.err());
    assertFalse(o.err().contains("Exception"), "no stack trace or exception name: " + o.err());
  }

  @Test
  void helpListsTheSubcommands() {
    Outcome o = run("--help");
    assertEquals(0, o.exitCode());
    for (String command : new String[] {"data", "train", "evaluate"}) {
      assertTrue(o.out().contains(command), o.out());
    }
  }

  @Test
  void versionNamesTheProjectAndTensorFlow() {
    Outcome o = run("--version");
    assertEquals(0, o.exitCode());
    assertTrue(o.out().startsWith("convnet-java "), o.out());
  }

  @Test
  void badFlagValuesGetOneLineAndANonZeroExit() {
    assertOneLineError(
        run("train", "--batch-size", "0", "--run-dir", dir.resolve("a").toString()),
        "--batch-size must be positive");
    assertOneLineError(
        run("train", "--learning-rate", "-0.1", "--run-dir", dir.resolve("b").toString()),
        "--learning-rate must be a positive number");
    assertOneLineError(run("train", "--iterations", "5", "--epochs", "1"), "mutually exclusive");
    assertOneLineError(run("train", "--recipe", "best", "--notebook"), "mutually exclusive");
    assertOneLineError(
        run("train", "--filter-size1", "4"), "--filter-size1 must be a positive odd number");
    assertOneLineError(
        run("train", "--filter-size2", "0"), "--filter-size2 must be a positive odd number");
    assertOneLineError(run("train", "--recipe", "fancy"), "unknown recipe 'fancy'");
    assertOneLineError(run("train", "--batch-size", "many"), "'many' is not an int");
    assertOneLineError(run("train", "--no-such-flag"), "Unknown option");
    assertFalse(Files.exists(dir.resolve("a")), "nothing is created for a refused run");
  }

  @Test
  void missingDataNamesThePlaceAndTheFixes() {
    Outcome o = run("data", "--data-dir", dir.toString());
    assertOneLineError(o, "Fashion-MNIST not found in [" + dir + "]");
    assertTrue(
        o.err().contains("apt-get install dataset-fashion-mnist")
            && o.err().contains("scripts/fetch-data"),
        o.err());
  }

  @Test
  void aRunDirectoryThatHoldsFilesIsRefusedAndKept() throws Exception {
    Path runDir = dir.resolve("run");
    Files.createDirectories(runDir);
    Path precious = runDir.resolve("notes.txt");
    Files.writeString(precious, "keep me");
    Outcome o = run("train", "--run-dir", runDir.toString(), "--iterations", "1");
    assertOneLineError(o, "already holds files");
    assertEquals("keep me", Files.readString(precious));
    assertEquals(1, Files.list(runDir).count());
  }

  @Test
  void evaluateRefusesAFolderThatIsNotASavedModel() {
    assertOneLineError(run("evaluate", "--model", dir.toString()), "is not a SavedModel");
  }
}
