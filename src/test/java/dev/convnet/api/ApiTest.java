package dev.convnet.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.testing.ClassFolders;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API as a Java caller uses it: a first small folder trained with the default recipe
 * (its batch capped at the folder's size), the run's model classifying a file, its bytes and its
 * image alike, and the refusals a caller can catch, naming the setting.
 */
class ApiTest {
  private static final List<String> CLASSES = List.of("circle", "square", "triangle");

  @TempDir Path dir;

  @Test
  void aSmallFolderTrainsWithTheDefaultsAndItsModelClassifiesFilesBytesAndImagesAlike()
      throws Exception {
    Path folder = dir.resolve("shapes");
    ClassFolders.write(folder, CLASSES, 20); // 20 images a class: fewer than a batch of 64
    List<String> lines = new ArrayList<>();
    TrainingProgress progress = lines::add;
    TrainingRun.Request request =
        Training.fresh(
                ModelConfig.notebook(),
                TrainConfig.DEFAULT.withLength(TrainConfig.Length.iterations(20)),
                dir.resolve("run"))
            .withFigures(false);
    RunResult result = Training.run(request, Data.ownImages(folder), progress);

    String recipe = lines.stream().filter(l -> l.startsWith("Recipe:")).findFirst().orElseThrow();
    String data = lines.stream().filter(l -> l.startsWith("Data:")).findFirst().orElseThrow();
    Matcher counted = Pattern.compile("\\((\\d+) train,").matcher(data);
    assertTrue(counted.find(), data);
    int train = Integer.parseInt(counted.group(1));
    assertTrue(train < TrainConfig.BATCH_SIZE, "a folder smaller than a batch: " + train);
    assertTrue(
        recipe.contains("of " + train + " images")
            && recipe.contains("recipe's batch of 64 capped at the training set's size"),
        recipe);
    assertTrue(result.test().total() > 0, "tested on the folder's held-out images");

    Path savedModel = result.runDir().resolve("saved_model");
    Path image;
    try (Stream<Path> files = Files.walk(folder.resolve("square"))) {
      image = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
    }
    try (Classifier classifier = Classifier.load(savedModel)) {
      assertEquals(CLASSES, classifier.classNames());
      Classification fromFile = classifier.classify(image);
      Classification fromBytes = classifier.classify(Files.readAllBytes(image));
      Classification fromImage = classifier.classify(ImageIO.read(image.toFile()));
      // The same pixels through the same graph and batch size: the same bits.
      assertEquals(fromFile.probabilities(), fromBytes.probabilities());
      assertEquals(fromFile.probabilities(), fromImage.probabilities());
      float sum = 0;
      for (float p : fromFile.probabilities()) {
        sum += p;
      }
      // A float32 softmax of 3 classes, u = 2^-24: each exp within u, their sum within 2u more,
      // each quotient within u, and our sum of the 3 quotients within 2u: 6u of 1 at most on
      // any CPU, which is 3 ulps of 1 (ulp(1) = 2u).
      assertEquals(1f, sum, 3 * Math.ulp(1f));
      assertEquals(fromFile.className(), CLASSES.get(fromFile.classIndex()));
      assertEquals(fromFile.likeliest(1).get(0), fromFile.classIndex());
      List<Classification> both = classifier.classifyAll(List.of(image, image));
      assertEquals(2, both.size());
      assertEquals(fromFile.classIndex(), both.get(1).classIndex());
      assertArrayEquals(new int[] {fromFile.classIndex()}, new int[] {both.get(0).classIndex()});
    }
  }

  @Test
  void refusalsNameTheSettingACallerGotWrong() throws Exception {
    InvalidSettingException both =
        assertThrows(
            InvalidSettingException.class,
            () -> Data.choose(dir.resolve("mine"), dir.resolve("fashion")));
    assertEquals("data", both.field());
    assertEquals("data and dataDir name two data sets; give one", both.getMessage());

    Path file = Files.writeString(dir.resolve("a-file"), "not a run");
    InvalidSettingException resume =
        assertThrows(InvalidSettingException.class, () -> Training.resume(file, Optional.empty()));
    assertEquals("resume", resume.field());

    IllegalArgumentException notAModel =
        assertThrows(IllegalArgumentException.class, () -> Classifier.load(dir));
    assertTrue(notAModel.getMessage().contains("not a SavedModel"), notAModel.getMessage());

    InvalidSettingException missing =
        assertThrows(
            InvalidSettingException.class, () -> Data.ownImages(dir.resolve("nowhere")).check());
    assertEquals("data", missing.field());
    assertFalse(Files.exists(dir.resolve("nowhere")), "nothing made on refusal");
  }
}
