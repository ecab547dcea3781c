package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Configs;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --export-base}: each run's model becomes the next numbered version of a base. */
class ExportBaseTest {
  private static final Split SMALL = SyntheticData.split(640, 64, 128, 3);

  @TempDir Path dir;

  private TrainingRun.Request request(Path runDir, Path base) {
    TrainConfig training =
        Configs.constant(64, 1e-3f, 3)
            .withLength(TrainConfig.Length.iterations(20))
            .withValidationSize(64);
    return TrainingRun.Request.fresh(ModelConfig.notebook(), training, runDir)
        .withFigures(false)
        .withExportBase(Optional.of(base));
  }

  @Test
  void eachRunIsTheNextVersionWholeAndTheSameModel() throws Exception {
    Path base = dir.resolve("models").resolve("fashion");
    for (int run = 1; run <= 2; run++) {
      List<String> lines = new ArrayList<>();
      RunResult result =
          TrainingRun.run(
              request(dir.resolve("run" + run), base),
              DataSource.of(SMALL, "generated"),
              lines::add);
      assertTrue(lines.contains("Exported as version " + run + " of " + base), lines.toString());
      Path version = base.resolve(Integer.toString(run));
      assertTrue(Files.exists(version.resolve("saved_model.pb")));
      try (SavedModelClassifier served = SavedModelClassifier.load(version)) {
        assertEquals(
            java.util.Arrays.toString(result.test().predicted()),
            java.util.Arrays.toString(served.evaluate(SMALL.test()).predicted()),
            "the version is the run's model");
      }
    }
    try (Stream<Path> entries = Files.list(base)) {
      assertEquals(
          List.of("1", "2"),
          entries.map(p -> p.getFileName().toString()).sorted().toList(),
          "no half-written version left behind");
    }
  }

  @Test
  void aFileAsTheBaseIsRefusedBeforeTraining() throws Exception {
    Path file = Files.writeString(dir.resolve("models.txt"), "notes");
    Path runDir = dir.resolve("run");
    InvalidSettingException e =
        assertThrows(
            InvalidSettingException.class,
            () ->
                TrainingRun.run(request(runDir, file), DataSource.of(SMALL, "generated"), l -> {}));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    assertFalse(Files.exists(runDir), "nothing written");
    assertEquals("notes", Files.readString(file));
  }
}
