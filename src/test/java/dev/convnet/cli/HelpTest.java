package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.api.Precisions;
import dev.convnet.common.InvalidSettingException;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;

/** Every command's help renders without a warning, and errors name flags on the command line. */
class HelpTest {
  /** Runs {@code args} with System.err captured: picocli prints its warnings there. */
  private static String[] helpAndStderr(String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      CommandLine cl = Main.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(out));
      assertEquals(0, cl.execute(args), String.join(" ", args));
    } finally {
      System.setErr(original);
    }
    return new String[] {out.toString(), captured.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void everyCommandsHelpRendersWithoutAWarning() {
    List<String> commands = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
    commands.remove("help");
    assertTrue(commands.size() >= 8, commands.toString());
    List<Executable> checks = new ArrayList<>();
    checks.add(() -> checkHelp(new String[] {"--help"}));
    for (String command : commands) {
      checks.add(() -> checkHelp(new String[] {command, "--help"}));
    }
    org.junit.jupiter.api.Assertions.assertAll(checks);
  }

  private static void checkHelp(String[] args) {
    String[] rendered = helpAndStderr(args);
    String all = rendered[0] + rendered[1];
    assertFalse(all.contains("WARN"), String.join(" ", args) + ":\n" + all);
    assertFalse(all.contains("null)"), "a default shown as null: " + all);
    assertTrue(rendered[0].startsWith("Usage: convnet"), rendered[0]);
  }

  @Test
  void trainsFlagsComeInTitledSections() {
    String help = helpAndStderr("train", "--help")[0];
    String[] sections = {
      "Recipe",
      "Length",
      "Schedule",
      "Regularisation and averaging",
      "Data and seed",
      "The network of In [2]",
      "The exercises' variants",
      "Run directory",
      "Output"
    };
    int previous = -1;
    for (String section : sections) {
      int at = help.indexOf("\n" + section + "\n");
      assertTrue(at > previous, section + " missing or out of order:\n" + help);
      previous = at;
    }
    assertTrue(help.contains("91% in under a minute"), "a % in help text renders as itself");
  }

  @Test
  void enumValuesAreTakenInAnyCase() {
    CommandLine cl = Main.commandLine();
    cl.parseArgs("train", "--pooling", "AVG", "--activation", "Sigmoid", "--precision", "FP32");
    CommandLine train = cl.getSubcommands().get("train");
    TrainCommand command = train.getCommand();
    assertEquals(ModelConfig.Pooling.AVG, command.variants.pooling);
    assertEquals(ModelConfig.Activation.SIGMOID, command.variants.activation);
    assertEquals(Precisions.Choice.FP32, command.precision.precision);
  }

  @Test
  void aJavaCallerReadsFieldNamesAndTheCommandLineReadsFlags() {
    InvalidSettingException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidSettingException.class, () -> TrainConfig.DEFAULT.withBatchSize(0));
    assertEquals("batchSize", e.field());
    assertEquals("batchSize must be positive, got 0", e.getMessage());
    var flags = FlagNames.of(Main.commandLine().getSubcommands().get("train").getCommandSpec());
    assertEquals("--batch-size must be positive, got 0", e.render(flags));
    assertEquals("--filter-size1", flags.apply("filterSize1"));
    assertEquals("--run-dir", flags.apply("runDir"));
    assertEquals("--data-dir", flags.apply("dataDir"));
    assertEquals("--force", flags.apply("force"));
    assertEquals("--warmup-iterations", flags.apply("warmupIterations"));
    assertEquals("evalBatchSize", flags.apply("evalBatchSize"), "no flag: the field's name");
  }

  @Test
  void everyTrainFlagOfASettingIsNamedAfterItsField() {
    // A flag whose field is not named as the record field it sets would leave errors unmapped.
    var flags = FlagNames.of(Main.commandLine().getSubcommands().get("train").getCommandSpec());
    for (var component : ModelConfig.class.getRecordComponents()) {
      if (component.getName().equals("numClasses")) {
        continue; // the data's classes size the logits, no flag
      }
      assertTrue(flags.apply(component.getName()).startsWith("--"), component.getName());
    }
    for (String field :
        List.of("batchSize", "learningRate", "seed", "validationSize", "checkpointEvery")) {
      assertTrue(flags.apply(field).startsWith("--"), field);
    }
  }
}
