package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.testing.Browsers;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.TrainConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * report.html in a real browser: Debian's headless Chromium driven by Selenium through the system
 * chromedriver (no driver downloads). Skipped, saying why, where Chromium is not installed; .ci/run
 * installs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportBrowserTest {
  @TempDir static Path runs;
  private Path report;
  private ChromeDriver browser;

  @BeforeAll
  void trainBrieflyAndOpenABrowser() {
    Split split = SyntheticData.split(1_000, 200, 300, 3);
    TrainConfig training =
        TrainConfig.DEFAULT.withLength(TrainConfig.Length.iterations(300)).withValidationSize(200);
    Path runDir = runs.resolve("run");
    TrainingRun.run(
        TrainingRun.Request.fresh(ModelConfig.notebook(), training, runDir),
        DataSource.of(split, "generated"),
        line -> {});
    report = runDir.resolve(Report.FILE_NAME);

    browser = Browsers.open(runs.resolve("profile"));
    browser.get(report.toUri().toString());
  }

  @AfterAll
  void closeTheBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  private Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  @Test
  void everyImageLoaded() {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> images =
        (List<Map<String, Object>>)
            script(
                "return Array.from(document.images).map(i => ({src: i.getAttribute('src'),"
                    + " complete: i.complete, width: i.naturalWidth}));");
    assertEquals(15, images.size(), "every figure is on the page");
    for (Map<String, Object> image : images) {
      assertEquals(Boolean.TRUE, image.get("complete"), image.toString());
      assertTrue(((Number) image.get("width")).longValue() > 0, "loaded: " + image);
    }
  }

  @Test
  void theAccuracyIsOnTheFirstScreen() {
    Number top =
        (Number)
            script(
                "return document.getElementById('test-accuracy').getBoundingClientRect().bottom;");
    Number screen = (Number) script("return window.innerHeight;");
    assertTrue(top.doubleValue() < screen.doubleValue(), top + " within " + screen);
    String text = browser.findElement(By.id("test-accuracy")).getText();
    assertTrue(text.matches("\\d+\\.\\d% test accuracy \\(\\d+ / 300 images right\\)"), text);
  }

  @Test
  void noResourceFailedAndNothingCameFromTheNetwork() {
    @SuppressWarnings("unchecked")
    List<String> resources =
        (List<String>) script("return performance.getEntriesByType('resource').map(e => e.name);");
    for (String name : resources) {
      assertTrue(name.startsWith("file:"), "only local files: " + name);
    }
    @SuppressWarnings("unchecked")
    List<String> broken =
        (List<String>)
            script(
                "return Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.src);");
    assertTrue(broken.isEmpty(), "broken: " + broken);
  }

  @Test
  void aScreenshotShowsThePage() throws Exception {
    File shot = browser.getScreenshotAs(OutputType.FILE);
    assertTrue(shot.length() > 10_000, "a real picture, " + shot.length() + " bytes");
  }
}
