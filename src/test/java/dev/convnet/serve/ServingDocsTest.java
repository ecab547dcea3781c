package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Servers;
import dev.convnet.testing.SyntheticData;
import dev.convnet.testing.TrainedModel;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curl examples of docs/serving.md work as written against {@code serve}. */
class ServingDocsTest {
  @TempDir Path dir;

  /** The first bash block after the heading that starts with {@code heading}. */
  static String block(String page, String heading) {
    int at = page.indexOf("\n" + heading);
    int from = page.indexOf("```bash\n", at) + "```bash\n".length();
    return page.substring(from, page.indexOf("```", from));
  }

  @Test
  void theCurlExamplesWorkAsWritten() throws Exception {
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/curl"))
            && Files.isExecutable(Path.of("/usr/bin/python3")),
        "curl and python3 are needed to run the examples");
    String script = block(Files.readString(Path.of("docs/serving.md")), "### curl");
    Path savedModel = TrainedModel.get().savedModel;
    BufferedImage black = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(black, "png", dir.resolve("black.png").toFile());
    try (SavedModelClassifier model = SavedModelClassifier.load(savedModel);
        RestServer server =
            Servers.start(
                model, RestServer.Config.defaults().withPort(0), SyntheticData.patterns(20, 1))) {
      String local = script.replace("localhost:8501", "localhost:" + server.address().getPort());
      Process bash =
          new ProcessBuilder("bash", "-euo", "pipefail", "-c", local)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      assertTrue(bash.waitFor(60, TimeUnit.SECONDS), "the examples finished");
      String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, bash.exitValue(), out);
      for (String expected :
          new String[] {
            "{\"predictions\":[{\"probabilities\":[",
            "{\"outputs\":{\"probabilities\":[[",
            "\"model_version_status\"",
            "\"DT_FLOAT\"",
            "\"DT_STRING\"",
            "\"file\":\"black.png\""
          }) {
        assertTrue(out.contains(expected), expected + " in:\n" + out);
      }
      assertTrue(!out.contains("\"error\""), out);
    }
  }
}
