package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.Split;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.TrainConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recipes}: one run per recipe and seed, the table against the goals, the race chart. */
class RecipeComparisonTest {
  @TempDir Path dir;

  @Test
  void eachRecipeTrainsOncePerSeedAndTheTableGivesTheSpreadAndTheGoals() throws Exception {
    Split split = SyntheticData.split(640, 128, 256, 6);
    TrainConfig shortRun =
        TrainConfig.DEFAULT
            .withLength(TrainConfig.Length.epochs(2))
            .withValidationSize(128)
            .withBatchSize(64);
    List<TrainConfig> recipes =
        List.of(shortRun.withRecipe("fast").withAverageDecay(0.9f), shortRun.withRecipe("default"));
    List<RecipeComparison.Outcome> seen = new ArrayList<>();
    List<RecipeComparison.Outcome> outcomes =
        RecipeComparison.run(
            recipes, List.of(7L, 8L), dir, DataSource.of(split, "generated"), seen::add);
    assertEquals(outcomes, seen);
    assertEquals(4, outcomes.size());
    assertEquals(8L, outcomes.get(1).recipe().seed());
    assertTrue(Files.isRegularFile(dir.resolve("fast-seed8").resolve(RunRecord.FILE_NAME)));
    RunRecord first = outcomes.get(0).result().record();
    assertEquals(0.9f, first.training().averageDecay());
    assertEquals(2, first.history().epochs().size(), "a point per epoch for the race");
    double atFirstEpoch = first.history().epochs().get(0).trainSeconds();
    assertTrue(
        atFirstEpoch > 0 && atFirstEpoch < first.results().trainSeconds(),
        atFirstEpoch + " s at the first epoch's end");

    String table = Files.readString(RecipeComparison.write(dir, outcomes));
    // The generated data is easy, but two epochs of 640 images reach no goal of the real one.
    String fastRow =
        table.lines().filter(l -> l.startsWith("| `fast` | ")).findFirst().orElseThrow();
    boolean reached =
        first.results().testAccuracy() >= 0.91
            && first.results().trainSeconds() <= 20
            && first.results().epochs() <= 2;
    assertTrue(
        fastRow.endsWith((reached ? "reached" : "missed") + " (91% in 20 s, 2 epochs) |"), fastRow);
    assertTrue(
        table.lines().anyMatch(l -> l.startsWith("| `default` |") && l.endsWith("| - |")), table);
    assertTrue(table.contains("| `fast` | 8 | "), table);
    assertTrue(table.contains("| `default` | spread of 2 seeds | "), table);
    BufferedImage chart = ImageIO.read(dir.resolve(RecipeComparison.CHART_FILE).toFile());
    assertEquals(1150, chart.getWidth());

    // --from: the same runs read back in the order they trained, and the same table.
    List<RecipeComparison.Outcome> again = RecipeComparison.read(dir);
    assertEquals(
        List.of("fast 7", "fast 8", "default 7", "default 8"),
        again.stream().map(o -> o.recipe().recipe() + " " + o.recipe().seed()).toList());
    String redrawn = Files.readString(RecipeComparison.write(dir, again));
    assertEquals(
        table.lines().skip(1).toList(), redrawn.lines().skip(1).toList(), "all but the stamp");
  }
}
