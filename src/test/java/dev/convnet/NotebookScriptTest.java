package dev.convnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/notebook} runs the notebook's cells In [1]-[60] in JShell on the real data, with
 * the classes the guide tests: every cell in order, the notebook's printed formats, the figures.
 */
@Tag("realdata")
class NotebookScriptTest {
  @TempDir Path tmp;

  @Test
  void theNotebookRunsCellByCellInJShell() throws Exception {
    Path figures = tmp.resolve("figures");
    Path log = tmp.resolve("notebook.log");
    Process p =
        new ProcessBuilder(
                "scripts/notebook", "--iterations", "300", "--figures", figures.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "finished");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);

    // Every cell, once, in the notebook's order.
    List<Integer> cells = new ArrayList<>();
    Matcher marker = Pattern.compile("(?m)^In \\[(\\d+)\\]: ").matcher(out);
    while (marker.find()) {
      cells.add(Integer.parseInt(marker.group(1)));
    }
    List<Integer> expected = new ArrayList<>();
    for (int n = 1; n <= 60; n++) {
      expected.add(n);
    }
    assertEquals(expected, cells, out);

    // In [43]-[47] print the notebook's lines in its formats.
    String training = out.substring(out.indexOf("In [43]: "), out.indexOf("In [48]: "));
    assertTrue(training.matches("(?s).*Accuracy on Test-Set: \\d+\\.\\d% \\(\\d+ / 10000\\).*"));
    assertTrue(training.contains("Optimization Iteration:      1, Training Accuracy: "), training);
    assertTrue(
        training.matches("(?s).*Optimization Iteration:    201, Training Accuracy: [ \\d.]{5}%.*"),
        training);
    assertTrue(training.matches("(?s).*Time usage: \\d+:\\d\\d:\\d\\d.*"), training);
    assertTrue(training.contains("Confusion Matrix:"), training);
    assertEquals(3, count(training, "Accuracy on Test-Set: "), "In [43], [45] and [47]");

    // Each figure a cell names exists and decodes as an image.
    Matcher png = Pattern.compile("(?m)(/\\S+\\.png)$").matcher(out);
    int named = 0;
    while (png.find()) {
      Path file = Path.of(png.group(1));
      assertTrue(file.startsWith(figures), file.toString());
      assertNotNull(ImageIO.read(file.toFile()), file + " decodes");
      named++;
    }
    assertEquals(11, named, "In [40], [41], [51]-[59]");
  }

  /**
   * {@code --until N} runs the cells up to In [N] and no further; with {@code --interactive} an
   * expression typed at the prompt echoes its value, and the hint names only what those cells
   * defined. A bad flag gets one line and exit 2.
   */
  @Test
  void untilStopsAfterTheCellAndThePromptEchoesValues() throws IOException, InterruptedException {
    Process bad = new ProcessBuilder("scripts/notebook", "--until", "61").start();
    String err = new String(bad.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bad.waitFor(1, TimeUnit.MINUTES));
    assertEquals(2, bad.exitValue());
    assertEquals(
        "notebook: error: --until must be a cell number from 1 to 60, got '61'", err.strip());

    Process p =
        new ProcessBuilder(
                "scripts/notebook",
                "--interactive",
                "--until",
                "12",
                "--figures",
                tmp.resolve("prompt").toString())
            .redirectErrorStream(true)
            .start();
    try (var in = p.getOutputStream()) {
      in.write("net.parameterCount()\n/exit\n".getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("In [6]: ") && out.contains("55000 train set"), out);
    assertTrue(out.contains("In [12]: ") && !out.contains("In [13]: "), out);
    assertTrue(out.contains("==> 242062"), out);
    assertTrue(out.contains("Your turn: try ") && out.contains("net.parameterCount()"), out);
    assertTrue(!out.contains("trainer."), "no trainer before In [39]: " + out);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
