package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.FashionMnist;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Browsers;
import dev.convnet.testing.Servers;
import dev.convnet.testing.TrainedModel;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The page of {@code serve} in headless Chromium: a file uploaded, a stroke drawn, bars read. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServePageBrowserTest {
  @TempDir static Path dir;
  private ChromeDriver browser;
  private SavedModelClassifier model;
  private RestServer server;

  @BeforeAll
  void serveAndOpenThePage() {
    browser = Browsers.open(dir.resolve("profile"));
    TrainedModel trained = TrainedModel.get();
    model = SavedModelClassifier.load(trained.savedModel);
    server = Servers.start(model, RestServer.Config.defaults().withPort(0), trained.split.test());
    browser.get(server.url() + "/");
  }

  @AfterAll
  void close() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
      model.close();
    }
  }

  private Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  /** The ten bars' drawn widths, in percent of their tracks. */
  @SuppressWarnings("unchecked")
  private List<Number> barWidths() {
    return (List<Number>)
        script(
            "return Array.from(document.querySelectorAll('.bar .fill')).map(f =>"
                + " 100 * f.getBoundingClientRect().width"
                + " / f.parentElement.getBoundingClientRect().width);");
  }

  private void waitForAnswer(String before) {
    new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(
            b -> {
              String now = b.findElement(By.id("answer")).getText();
              return !now.isEmpty() && !now.equals(before);
            });
  }

  /** Light pixels in the 28x28 picture the page shows as the network's input. */
  private int lightPixelsSeen() {
    return ((Number)
            script(
                "const d = document.getElementById('seen').getContext('2d')"
                    + ".getImageData(0, 0, 28, 28).data; let n = 0;"
                    + " for (let i = 0; i < d.length; i += 4) { if (d[i] > 128) n++; } return n;"))
        .intValue();
  }

  private static double sum(List<Number> values) {
    return values.stream().mapToDouble(Number::doubleValue).sum();
  }

  @Test
  void anUploadedFileShowsWhatTheNetworkSeesAndTenBars() throws Exception {
    Path png = dir.resolve("bag.png");
    BufferedImage image = new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, 60, 40);
    g.setColor(java.awt.Color.DARK_GRAY);
    g.fillRect(15, 10, 30, 22);
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
    browser.findElement(By.id("clear")).click();
    browser.findElement(By.id("file")).sendKeys(png.toString());
    waitForAnswer("");
    List<Number> widths = barWidths();
    assertEquals(10, widths.size());
    assertEquals(100, sum(widths), 2, "the ten probabilities sum to 1: " + widths);
    String answer = browser.findElement(By.id("answer")).getText();
    assertTrue(FashionMnist.LABELS.stream().anyMatch(answer::startsWith), answer);
    int lit = lightPixelsSeen();
    assertTrue(lit > 50, "the inverted bag is light on black: " + lit + " light pixels");
  }

  @Test
  void aStrokeDrawnWithThePointerUpdatesTheBars() {
    browser.findElement(By.id("clear")).click();
    WebElement canvas = browser.findElement(By.id("draw"));
    new Actions(browser)
        .moveToElement(canvas, -60, -80)
        .clickAndHold()
        .moveByOffset(30, 40)
        .moveByOffset(30, 40)
        .moveByOffset(30, 40)
        .moveByOffset(30, 40)
        .release()
        .perform();
    waitForAnswer("");
    assertEquals(100, sum(barWidths()), 2);
    int lit = lightPixelsSeen();
    assertTrue(lit > 10, "the stroke reached the 28x28 input: " + lit);
    assertNotEquals("", browser.findElement(By.id("answer")).getText());
  }

  @Test
  void aTestImageClickedIsClassified() throws Exception {
    List<WebElement> examples =
        new WebDriverWait(browser, Duration.ofSeconds(20))
            .until(
                b -> {
                  List<WebElement> found = b.findElements(By.cssSelector("#examples button"));
                  return found.isEmpty() ? null : found;
                });
    browser.findElement(By.id("clear")).click();
    examples.get(examples.size() - 1).click();
    waitForAnswer("");
    assertEquals(100, sum(barWidths()), 2);
    byte[] shot = browser.getScreenshotAs(OutputType.BYTES);
    assertTrue(shot.length > 1000, "a screenshot of the page");
  }
}
