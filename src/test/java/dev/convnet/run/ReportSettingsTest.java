package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.common.Records;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's settings table names every setting of the run, the fast recipe's whitening too. */
class ReportSettingsTest {
  @Test
  void everyFieldOfBothSettingsRecordsHasARow() {
    Map<String, String> rows = Report.settings(TrainConfig.FAST, ModelConfig.notebook());
    List<String> fields = new ArrayList<>(Records.names(TrainConfig.class));
    fields.addAll(Records.names(ModelConfig.class));
    for (String field : fields) {
      String row = Report.snakeCase(field);
      assertTrue(rows.containsKey(row), "no row " + row + " for " + field + ": " + rows.keySet());
      assertFalse(rows.get(row).isBlank(), row);
    }
    assertEquals(fields.size(), rows.size(), "one row a setting: " + rows.keySet());
  }

  @Test
  void theFastRecipesWhitenedFirstConvolutionIsSaid() {
    assertTrue(
        Report.settings(TrainConfig.FAST, ModelConfig.notebook())
            .get("whiten_first")
            .contains("whitening"));
    assertTrue(
        Report.settings(TrainConfig.DEFAULT, ModelConfig.notebook())
            .get("whiten_first")
            .startsWith("none"));
    assertEquals("batch_size", Report.snakeCase("batchSize"));
    assertEquals("filter_size1", Report.snakeCase("filterSize1"));
  }
}
