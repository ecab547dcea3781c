package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.convnet.cli.Main;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageInput;
import dev.convnet.data.ImageSet;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.DataSource;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Forked;
import dev.convnet.train.TrainConfig;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A model trained briefly on the real data, exported, then served from fresh processes. */
@Tag("realdata")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingTest {
  @TempDir static Path tmp;
  private RunResult trained;
  private Path model;
  private ImageSet test;

  @BeforeAll
  void trainAndExport() {
    TrainConfig training = TrainConfig.DEFAULT.withLength(TrainConfig.Length.iterations(600));
    TrainingRun.Request request =
        TrainingRun.Request.fresh(ModelConfig.notebook(), training, tmp.resolve("run"));
    trained = TrainingRun.run(request, DataSource.fashionMnist(null), line -> {});
    model = trained.runDir().resolve(TrainingRun.SAVED_MODEL_DIR);
    test = FashionMnist.load((Path) null).test();
  }

  @Test
  void figuresRedrawsTheSameReportAndFiguresFromTheSavedModel() throws Exception {
    Path run = trained.runDir();
    String report = Files.readString(run.resolve("report.html"));
    Map<String, byte[]> pngs = new TreeMap<>();
    try (var files = Files.list(run.resolve(TrainingRun.FIGURES_DIR))) {
      for (Path png : files.toList()) {
        pngs.put(png.getFileName().toString(), Files.readAllBytes(png));
      }
    }
    String out = Forked.run(Main.class, "figures", "--run-dir", run.toString());
    assertTrue(out.contains("Figures: 15 PNG files"), out);
    assertEquals(report, Files.readString(run.resolve("report.html")), "the same page");
    for (Map.Entry<String, byte[]> png : pngs.entrySet()) {
      assertTrue(
          Arrays.equals(
              png.getValue(),
              Files.readAllBytes(run.resolve(TrainingRun.FIGURES_DIR).resolve(png.getKey()))),
          png.getKey() + " redrawn byte for byte");
    }
  }

  @Test
  void theSavedModelDeclaresTheServingSignature() {
    try (SavedModelClassifier c = SavedModelClassifier.load(model);
        org.tensorflow.SavedModelBundle bundle =
            org.tensorflow.SavedModelBundle.load(model.toString(), ModelExport.TAG)) {
      var signature = bundle.metaGraphDef().getSignatureDefOrThrow(ModelExport.SIGNATURE_KEY);
      assertEquals("tensorflow/serving/predict", signature.getMethodName());
      assertEquals(List.of("x"), new ArrayList<>(signature.getInputsMap().keySet()));
      assertEquals(
          List.of("class", "class_name", "probabilities"),
          signature.getOutputsMap().keySet().stream().sorted().toList());
      assertEquals(
          org.tensorflow.proto.DataType.DT_STRING,
          signature.getOutputsOrThrow("class_name").getDtype());
      assertEquals(FashionMnist.LABELS, c.classNames(), "the names the export carries");
      assertEquals(
          org.tensorflow.proto.DataType.DT_FLOAT, signature.getInputsOrThrow("x").getDtype());
      assertEquals(
          org.tensorflow.proto.DataType.DT_INT64, signature.getOutputsOrThrow("class").getDtype());
      float[] p = c.probabilities(test.image(0), 1);
      assertEquals(1.0, sum(p), 1e-5);
      // Both signatures take and give any number of images: TensorFlow Serving's metadata reports
      // the batch dimension as -1, never a fixed size.
      for (String key : List.of(ModelExport.SIGNATURE_KEY, ModelExport.IMAGES_SIGNATURE_KEY)) {
        var def = bundle.metaGraphDef().getSignatureDefOrThrow(key);
        for (var tensor : def.getOutputsMap().entrySet()) {
          assertEquals(
              -1,
              tensor.getValue().getTensorShape().getDim(0).getSize(),
              key + "'s " + tensor.getKey() + ": batch dimension");
        }
      }
    }
  }

  @Test
  void aFreshJvmPredictsTheSameClassesForAThousandTestImages() throws Exception {
    String forked = Forked.run(SavedModelProbe.class, model.toString(), "1000").strip();
    long[] inProcess;
    try (SavedModelClassifier c = SavedModelClassifier.load(model)) {
      inProcess = c.classes(test.images(ImageSet.range(0, 1000)), 1000);
    }
    assertEquals(
        Arrays.stream(inProcess).mapToObj(Long::toString).collect(Collectors.joining(",")), forked);
    // And both agree with what training measured, image for image.
    for (int i = 0; i < 1000; i++) {
      assertEquals(trained.test().predicted()[i], inProcess[i], "image " + i);
    }
  }

  @Test
  void evaluateInAFreshProcessReproducesTheTrainingAccuracyExactly() throws Exception {
    String out = Forked.run(Main.class, "evaluate", "--model", model.toString());
    assertTrue(
        out.startsWith(trained.test().accuracyLine("Test-Set") + System.lineSeparator()), out);
    assertTrue(out.contains("Confusion Matrix:"), out);
  }

  @Test
  void predictGetsTestImagesRightAsOftenAsTheModelDoes() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("png"));
    int n = 60;
    List<String> args = new ArrayList<>(List.of("predict", "--json", "--model", model.toString()));
    for (int i = 0; i < n; i++) {
      // As Fashion-MNIST stores them: light object on black, 28 x 28.
      Path file = images.resolve("test" + i + ".png");
      ImageIO.write(asImage(test, i, false), "png", file.toFile());
      args.add(file.toString());
    }
    String out = Forked.run(Main.class, args.toArray(String[]::new));
    List<String> lines = out.lines().toList();
    assertEquals(n, lines.size());
    int right = 0;
    for (int i = 0; i < n; i++) {
      JsonObject o = new Gson().fromJson(lines.get(i), JsonObject.class);
      assertTrue(o.get("file").getAsString().endsWith("test" + i + ".png"));
      assertEquals(3, o.getAsJsonArray("top3").size());
      assertEquals(false, o.get("inverted").getAsBoolean(), "a dark background is not inverted");
      right += o.get("class").getAsInt() == test.label(i) ? 1 : 0;
    }
    assertTrue(
        right >= (trained.testAccuracy() - 0.12) * n,
        right + " of " + n + " right; model accuracy " + trained.testAccuracy());
  }

  @Test
  void aLightBackgroundJpegIsInvertedAndABadFileIsReportedWhileOthersGoOn() throws Exception {
    // Dark object on white, RGB, four times the size: what a product photo looks like.
    int index = 1;
    BufferedImage big = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
    BufferedImage small = asImage(test, index, true);
    Graphics2D g = big.createGraphics();
    g.drawImage(small, 0, 0, 112, 112, null);
    g.dispose();
    Path jpeg = tmp.resolve("photo.jpg");
    ImageIO.write(big, "jpg", jpeg.toFile());
    Path text = tmp.resolve("notes.txt");
    Files.writeString(text, "not an image");

    Process p =
        Forked.java(
                Main.class,
                "predict",
                "--json",
                "--model",
                model.toString(),
                text.toString(),
                jpeg.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
    assertEquals(1, p.waitFor(), "one file failed");
    JsonObject bad = new Gson().fromJson(lines.get(0), JsonObject.class);
    assertTrue(
        bad.get("error").getAsString().contains("notes.txt: not a PNG, JPEG, GIF or BMP image"),
        lines.get(0));
    JsonObject photo = new Gson().fromJson(lines.get(1), JsonObject.class);
    assertTrue(photo.get("inverted").getAsBoolean());
    assertEquals(
        FashionMnist.LABELS.get(photo.get("class").getAsInt()), photo.get("label").getAsString());

    ImageInput.Prepared prepared = ImageInput.read(jpeg);
    float[] original = test.image(index);
    double diff = 0;
    for (int i = 0; i < original.length; i++) {
      diff += Math.abs(prepared.pixels()[i] - original[i]);
    }
    assertTrue(
        diff / original.length < 0.06,
        "inverted and scaled back, it is close to the original: " + diff / original.length);
  }

  private static BufferedImage asImage(ImageSet set, int index, boolean darkOnLight) {
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int v = set.pixels()[index * 784 + y * 28 + x] & 0xFF;
        image.getRaster().setSample(x, y, 0, darkOnLight ? 255 - v : v);
      }
    }
    return image;
  }

  private static double sum(float[] values) {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return s;
  }
}
