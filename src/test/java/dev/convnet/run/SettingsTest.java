package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Settings that cannot run here are refused by name, before any data is read. */
class SettingsTest {
  private static final ModelConfig NET = ModelConfig.notebook();
  private static final long GB = 1L << 30;

  private static String refusal(ModelConfig model, TrainConfig training, long heap, long physical) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> Settings.check(model, training, 60_000, heap, physical))
        .getMessage();
  }

  /**
   * Every recipe, the batch-256 fast one included, trains within the heap that scripts/convnet
   * gives train (read from the launcher itself), and the same check refuses it where the images
   * alone would not fit: the check is live, not a pass-through.
   */
  @Test
  void everyRecipeFitsTheLaunchersHeapAndNotAnEighthOfIt() throws IOException {
    Matcher heap =
        Pattern.compile("train\\|[^)]*\\) heap=-Xmx(\\d+)m")
            .matcher(Files.readString(Path.of("scripts/convnet")));
    assertTrue(heap.find(), "scripts/convnet sets train's heap");
    long launcherHeap = Long.parseLong(heap.group(1)) << 20;
    for (String name : List.of("notebook", "default", "best", "fast")) {
      TrainConfig recipe = TrainConfig.recipe(name);
      Settings.check(NET, recipe, 60_000, launcherHeap, 24 * GB);
      String m = refusal(NET, recipe, launcherHeap / 8, 24 * GB);
      assertTrue(m.startsWith("batchSize " + recipe.batchSize() + " needs about"), name + ": " + m);
    }
  }

  @Test
  void aBatchLargerThanTheTrainingSetNamesTheFlag() {
    String m = refusal(NET, TrainConfig.DEFAULT.withBatchSize(55_001), 4 * GB, 24 * GB);
    assertTrue(m.startsWith("batchSize 55001 is larger than the training set (55000"), m);
    m = refusal(NET, TrainConfig.DEFAULT.withValidationSize(60_000), 4 * GB, 24 * GB);
    assertTrue(m.startsWith("validationSize 60000 leaves no training images"), m);
  }

  @Test
  void aBatchBeyondTheHeapSaysHowToRaiseIt() {
    String m = refusal(NET, TrainConfig.DEFAULT.withBatchSize(50_000), 64L << 20, 24 * GB);
    assertTrue(m.startsWith("batchSize 50000 needs about"), m);
    assertTrue(m.contains("CONVNET_JAVA_OPTS"), m);
  }

  @Test
  void aStepBeyondPhysicalMemoryIsRefused() {
    ModelConfig wide =
        NET.withNumFilters1(512).withNumFilters2(512).withConvLayers(5).withPooling(Pooling.NONE);
    String m = refusal(wide, TrainConfig.DEFAULT.withBatchSize(20_000), 64 * GB, 24 * GB);
    assertTrue(m.contains("lower batchSize"), m);
  }
}
