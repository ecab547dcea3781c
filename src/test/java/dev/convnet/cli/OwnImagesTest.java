package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.ImageSet;
import dev.convnet.data.OwnData;
import dev.convnet.data.SplitFile;
import dev.convnet.results.Json;
import dev.convnet.run.RunRecord;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.serve.RestServer;
import dev.convnet.testing.ClassFolders;
import dev.convnet.testing.Forked;
import dev.convnet.testing.Servers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;

/**
 * From a folder of one's own images to a served model, as the docs' worked example goes: train on
 * three classes of generated pictures, and every later step (the printouts, metrics.json, the
 * export, predict, evaluate, resume, serve) speaks of those three classes by name.
 */
class OwnImagesTest {
  private static final List<String> CLASSES = List.of("bright square", "circle", "triángulo");

  @TempDir Path dir;

  @Test
  void aFolderOfClassFoldersIsTrainedExportedPredictedEvaluatedAndServedByName() throws Exception {
    Path data = dir.resolve("shapes");
    ClassFolders.write(data, CLASSES, 21);
    Path run = dir.resolve("run");
    String trained =
        Forked.run(
            Main.class,
            "train",
            "--data",
            data.toString(),
            "--iterations",
            "120",
            "--batch-size",
            "16",
            "--no-figures",
            "--no-progress",
            "--run-dir",
            run.toString());
    assertTrue(
        trained.contains("Data: " + data + ", 3 classes (48 train, 6 validation, 9 test)"),
        trained);
    assertTrue(
        trained.contains("Network: conv 5x5x16, conv 5x5x36, fc 128, max-pool, relu, 3 classes"),
        trained);
    assertTrue(
        trained.contains("(2) triángulo"), "the confusion matrix names the classes: " + trained);
    String testLine = lastLineStartingWith(trained, "Accuracy on Test-Set:");

    RunRecord record = RunRecord.read(run);
    assertEquals(3, record.model().numClasses());
    SplitFile split = SplitFile.read(run.resolve(SplitFile.FILE_NAME));
    assertEquals(CLASSES, split.classes());
    assertEquals(9, split.test().files().size());

    Path model = run.resolve("saved_model");
    String savedModelLine;
    try (SavedModelClassifier classifier = SavedModelClassifier.load(model)) {
      assertEquals(CLASSES, classifier.classNames());
      // The run's own test images through the SavedModel, as evaluate and figures classify them.
      ImageSet test =
          OwnData.open(run.resolve(SplitFile.FILE_NAME), 0).loadTest(0, ImageFolder.Reading.QUIET);
      assertEquals(split.test().files().size(), test.size());
      savedModelLine = classifier.evaluate(test).accuracyLine("Test-Set");
      for (String signature :
          List.of(ModelExport.SIGNATURE_KEY, ModelExport.IMAGES_SIGNATURE_KEY)) {
        SignatureDef def = classifier.signatures().get(signature);
        assertEquals(
            DataType.DT_STRING,
            def.getOutputsOrThrow(ModelExport.OUTPUT_CLASS_NAME).getDtype(),
            signature);
      }
    }

    // evaluate on the run's own split: the very test images, the very count. Exact, because both
    // sides load the same SavedModel the same way and run the same ops on the same inputs (the
    // training graph's own count may round differently, so it is not the reference here).
    String evaluated =
        Forked.run(
            Main.class,
            "evaluate",
            "--model",
            model.toString(),
            "--data",
            run.resolve(SplitFile.FILE_NAME).toString());
    assertTrue(evaluated.contains(savedModelLine), savedModelLine + " in " + evaluated);
    assertTrue(evaluated.contains("(1) circle"), evaluated);

    // predict names a class of the data.
    Path picture = data.resolve("circle").resolve("img 01.jpg");
    String predicted =
        Forked.run(
            Main.class, "predict", "--model", model.toString(), "--json", picture.toString());
    JsonObject answer = Json.GSON.fromJson(predicted.strip(), JsonObject.class);
    assertTrue(CLASSES.contains(answer.get("label").getAsString()), predicted);

    // figures draws the run again from the images its split.json names, and the report says so.
    String drawn = Forked.run(Main.class, "figures", "--run-dir", run.toString());
    assertTrue(drawn.contains(savedModelLine), drawn);
    String report = Files.readString(run.resolve("report.html"));
    assertTrue(report.contains("on your own images (3 classes)"), "the report's title");
    assertTrue(Files.isRegularFile(run.resolve("figures").resolve("confusion_matrix.png")));

    // A resumed run reads the images its split.json names, without --data.
    String resumed =
        Forked.run(
            Main.class, "train", "--resume", run.toString(), "--no-figures", "--no-progress");
    assertTrue(resumed.contains(", 3 classes (48 train, 6 validation, 9 test)"), resumed);
    // Exact: the checkpoint restores every variable bit for bit into a graph built as the first
    // one, and the finished run adds no step, so the same ops see the same weights and images.
    assertEquals(testLine, lastLineStartingWith(resumed, "Accuracy on Test-Set:"));

    // serve answers the class's name too, as TensorFlow Serving would from the class_name output.
    try (SavedModelClassifier classifier =
            SavedModelClassifier.load(
                model, dev.convnet.model.Device.CPU_NAME, SavedModelClassifier.Callers.MANY);
        RestServer server =
            Servers.start(classifier, RestServer.Config.defaults().withPort(0), null)) {
      String body =
          "{\"signature_name\": \"serving_images\", \"instances\": [{\"b64\": \""
              + Base64.getEncoder().encodeToString(Files.readAllBytes(picture))
              + "\"}]}";
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              server.url() + "/v1/models/" + RestServer.Config.NAME + ":predict"))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      JsonObject prediction =
          Json.GSON
              .fromJson(response.body(), JsonObject.class)
              .getAsJsonArray("predictions")
              .get(0)
              .getAsJsonObject();
      int c = prediction.get(ModelExport.OUTPUT_CLASS).getAsInt();
      assertEquals(CLASSES.get(c), prediction.get(ModelExport.OUTPUT_CLASS_NAME).getAsString());
    }
  }

  @Test
  void aBadFolderGetsOneLineAndLeavesNothingBehind() throws Exception {
    Path data = dir.resolve("bad");
    ClassFolders.write(data, List.of("a", "b"), 8);
    Files.writeString(data.resolve("a").resolve("broken.png"), "not a png");
    Path run = dir.resolve("run");
    CommandLineTest.Outcome o =
        CommandLineTest.run(
            "train",
            "--data",
            data.toString(),
            "--batch-size",
            "4",
            "--no-progress",
            "--run-dir",
            run.toString());
    CommandLineTest.assertOneLineError(o, "1 file cannot be read as images: ");
    assertTrue(o.err().contains("broken.png"), o.err());
    assertFalse(Files.exists(run), "the run directory it made is gone again");

    CommandLineTest.assertOneLineError(
        CommandLineTest.run("train", "--data", dir.resolve("none").toString()),
        "--data " + dir.resolve("none") + ": no such folder or file");
    CommandLineTest.assertOneLineError(
        CommandLineTest.run("train", "--data", data.toString(), "--data-dir", data.toString()),
        "--data and --data-dir name two data sets; give one");
  }

  private static String lastLineStartingWith(String text, String prefix) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + ".*$").matcher(text);
    String last = null;
    while (m.find()) {
      last = m.group();
    }
    assertTrue(last != null, prefix + " in " + text);
    return last;
  }
}
