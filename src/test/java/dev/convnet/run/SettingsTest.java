package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.model.ModelConfig;
import dev.convnet.model.ModelConfig.Pooling;
import dev.convnet.train.TrainConfig;
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

  @Test
  void theRecipesFitTheLaunchersHeap() {
    Settings.check(NET, TrainConfig.DEFAULT, 60_000, 256L << 20, 24 * GB);
    Settings.check(NET, TrainConfig.BEST, 60_000, 256L << 20, 24 * GB);
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
