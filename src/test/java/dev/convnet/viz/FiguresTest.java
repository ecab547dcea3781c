package dev.convnet.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.DataSource;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.TrainConfig;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A short run on generated data draws every figure and a report whose links all resolve. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FiguresTest {
  @TempDir static Path runs;
  private Path runDir;

  /** Expected figures and their exact pixel sizes (the layout is deterministic). */
  private static final List<String> FILES =
      List.of(
          "sample_training_image.png",
          "plot_image_1.png",
          "plot_image_2.png",
          "plot_images.png",
          "example_errors.png",
          "confusion_matrix.png",
          "conv_weights1.png",
          "conv_layer1_image1.png",
          "conv_layer1_image2.png",
          "conv_weights2_channel0.png",
          "conv_weights2_channel1.png",
          "conv_layer2_image1.png",
          "conv_layer2_image2.png",
          "training_curve.png",
          "race.png");

  @BeforeAll
  void trainBriefly() {
    Split clean = SyntheticData.split(1_000, 200, 300, 3);
    Split split =
        new Split(clean.train(), clean.validation(), SyntheticData.mislabel(clean.test(), 20));
    runDir = runs.resolve("run");
    TrainConfig training =
        TrainConfig.DEFAULT.withLength(TrainConfig.Length.iterations(150)).withValidationSize(200);
    TrainingRun.Request request =
        TrainingRun.Request.fresh(ModelConfig.notebook(), training, runDir);
    RunResult result = TrainingRun.run(request, DataSource.of(split, "generated"), line -> {});
    assertTrue(result.testAccuracy() < 1.0, "some errors to plot");
  }

  private BufferedImage png(String name) throws Exception {
    BufferedImage image = ImageIO.read(runDir.resolve("figures").resolve(name).toFile());
    assertTrue(image != null, name + " is a readable PNG");
    return image;
  }

  @Test
  void everyFigureIsAValidNonBlankPng() throws Exception {
    for (String name : FILES) {
      BufferedImage image = png(name);
      assertTrue(
          image.getWidth() >= 100 && image.getHeight() >= 100,
          name + " is " + image.getWidth() + "x" + image.getHeight());
      assertTrue(variance(image) > 100, name + " is blank (variance " + variance(image) + ")");
    }
    try (var files = Files.list(runDir.resolve("figures"))) {
      assertEquals(FILES.size(), files.count());
    }
  }

  @Test
  void figuresHaveTheirExpectedSizes() throws Exception {
    Map<String, int[]> sizes =
        Map.of(
            "confusion_matrix.png", new int[] {900, 780},
            "training_curve.png", new int[] {1000, 840},
            "race.png", new int[] {1150, 560},
            // 4 x 4 tiles of 5 x 5 values at 16 pixels, 10 apart, 12 margin, 28 title: 24 + 4*90 -
            // 10.
            "conv_weights1.png", new int[] {374, 402},
            // 6 x 6 tiles of the same size.
            "conv_weights2_channel0.png", new int[] {554, 582});
    for (Map.Entry<String, int[]> e : sizes.entrySet()) {
      BufferedImage image = png(e.getKey());
      assertEquals(e.getValue()[0], image.getWidth(), e.getKey() + " width");
      assertEquals(e.getValue()[1], image.getHeight(), e.getKey() + " height");
    }
  }

  @Test
  void aConvWeightFigureHasOneTilePerFilter() throws Exception {
    assertEquals(16, countTiles(png("conv_weights1.png"), 80));
    assertEquals(36, countTiles(png("conv_weights2_channel0.png"), 80));
    assertEquals(16, countTiles(png("conv_layer1_image1.png"), 112));
    assertEquals(36, countTiles(png("conv_layer2_image2.png"), 112));
  }

  @Test
  void theReportLinksEveryFigureAndNoLinkIsBroken() throws Exception {
    String html = Files.readString(runDir.resolve("report.html"));
    Matcher m = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
    List<String> links = new ArrayList<>();
    while (m.find()) {
      links.add(m.group(1));
      assertTrue(Files.isRegularFile(runDir.resolve(m.group(1))), "broken link " + m.group(1));
    }
    for (String name : FILES) {
      assertTrue(links.contains("figures/" + name), "report lacks " + name);
    }
    assertTrue(
        !html.contains("http://") && !html.contains("https://"), "the report needs no network");
    assertTrue(
        html.contains("test accuracy") && html.contains("learning_rate"),
        "in words, named as the flags");
  }

  /** Tiles are framed in grey: count left frame edges along the middle of each row of tiles. */
  private static int countTiles(BufferedImage image, int tileSize) {
    int grey = Color.GRAY.getRGB();
    int tiles = 0;
    int top = 12 + 28;
    for (int y = top + tileSize / 2; y < image.getHeight(); y += tileSize + 10) {
      boolean inFrame = false;
      for (int x = 0; x < image.getWidth(); x++) {
        boolean isGrey = image.getRGB(x, y) == grey;
        if (isGrey && !inFrame) {
          tiles++;
        }
        inFrame = isGrey;
      }
    }
    return tiles / 2; // left and right frame edges
  }

  private static double variance(BufferedImage image) {
    double sum = 0;
    double sq = 0;
    int n = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y);
        double lum = ((rgb >> 16) & 255) * 0.3 + ((rgb >> 8) & 255) * 0.59 + (rgb & 255) * 0.11;
        sum += lum;
        sq += lum * lum;
        n++;
      }
    }
    double mean = sum / n;
    return sq / n - mean * mean;
  }
}
