package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convnet.data.ImageInput;
import dev.convnet.data.ImageSet;
import dev.convnet.model.Tensors;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Servers;
import dev.convnet.testing.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Image files at TensorFlow Serving's door: {@code serving_images} with {@code {"b64": ...}}
 * instances, through {@code serve}, which prepares them with {@code predict}'s code, and through an
 * independent load of the SavedModel, which prepares the files in its graph.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageSignatureServingTest {
  @TempDir static Path dir;
  private Path savedModel;
  private SavedModelClassifier model;
  private RestServer server;
  private ImageSet test;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void trainExportAndServe() {
    TrainedModel trained = TrainedModel.get();
    test = trained.split.test();
    savedModel = trained.savedModel;
    model = SavedModelClassifier.load(savedModel);
    server = Servers.start(model, RestServer.Config.defaults().withPort(0), null);
  }

  @AfterAll
  void stop() {
    server.close();
    model.close();
  }

  private HttpResponse<String> predict(String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/fashion:predict"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Test image {@code i} as a grey 28x28 PNG file. */
  private byte[] png(int i) throws Exception {
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    float[] pixels = test.image(i);
    for (int p = 0; p < 784; p++) {
      image.getRaster().setSample(p % 28, p / 28, 0, Math.round(pixels[p] * 255));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static String b64(byte[] file) {
    return "{\"b64\": \"" + Base64.getEncoder().encodeToString(file) + "\"}";
  }

  @Test
  void serveAndTheSavedModelsGraphGiveTheClassesPredictGives() throws Exception {
    int n = 40;
    byte[][] files = new byte[n][];
    StringBuilder rows = new StringBuilder();
    long[] predicted = new long[n];
    for (int i = 0; i < n; i++) {
      files[i] = png(i);
      rows.append(i == 0 ? "" : ", ").append(b64(files[i]));
      predicted[i] = model.classes(ImageInput.read(files[i], "file " + i).pixels(), 1)[0];
    }
    HttpResponse<String> r =
        predict("{\"signature_name\": \"serving_images\", \"instances\": [" + rows + "]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonArray predictions =
        JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("predictions");
    long[] served = new long[n];
    for (int i = 0; i < n; i++) {
      served[i] = predictions.get(i).getAsJsonObject().get("class").getAsLong();
    }
    assertArrayEquals(predicted, served, "serve, as predict");

    try (SavedModelBundle bundle = SavedModelBundle.load(savedModel.toString(), ModelExport.TAG);
        TString input = TString.tensorOfBytes(NdArrays.vectorOfObjects(files));
        Result out =
            bundle
                .function(ModelExport.IMAGES_SIGNATURE_KEY)
                .call(Map.of(ModelExport.IMAGES_INPUT, input))) {
      assertArrayEquals(
          predicted,
          Tensors.longs((TInt64) out.get(ModelExport.OUTPUT_CLASS).orElseThrow()),
          "the graph's own preparation, as TensorFlow Serving would run it");
    }

    // The columnar format and the named row form answer the same.
    HttpResponse<String> columnar =
        predict(
            "{\"signature_name\": \"serving_images\", \"inputs\": {\"image_bytes\": ["
                + b64(files[0])
                + ", "
                + b64(files[1])
                + "]}}");
    assertEquals(200, columnar.statusCode(), columnar.body());
    JsonArray classes =
        JsonParser.parseString(columnar.body())
            .getAsJsonObject()
            .getAsJsonObject("outputs")
            .getAsJsonArray("class");
    assertEquals(predicted[0], classes.get(0).getAsLong());
    assertEquals(predicted[1], classes.get(1).getAsLong());
    HttpResponse<String> named =
        predict(
            "{\"signature_name\": \"serving_images\", \"instances\": [{\"image_bytes\": "
                + b64(files[2])
                + "}]}");
    assertEquals(200, named.statusCode(), named.body());
    assertTrue(named.body().contains("\"class\":" + predicted[2]), named.body());
  }

  @Test
  void aLargerPhotoGetsTheVeryProbabilitiesPredictComputes() throws Exception {
    // A 300x200 JPEG with a light background: serve prepares it with predict's own code.
    BufferedImage photo = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 200; y++) {
      for (int x = 0; x < 300; x++) {
        boolean object = Math.abs(x - 150) < 60 && Math.abs(y - 100) < 70;
        photo.setRGB(x, y, object ? 0x203040 + (x % 16) : 0xF0F0E8);
      }
    }
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(photo, "jpg", jpeg);
    HttpResponse<String> r =
        predict(
            "{\"signature_name\": \"serving_images\", \"instances\": ["
                + b64(jpeg.toByteArray())
                + "]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonArray served =
        JsonParser.parseString(r.body())
            .getAsJsonObject()
            .getAsJsonArray("predictions")
            .get(0)
            .getAsJsonObject()
            .getAsJsonArray("probabilities");
    float[] expected =
        model.probabilities(ImageInput.read(jpeg.toByteArray(), "photo").pixels(), 1);
    for (int c = 0; c < expected.length; c++) {
      assertEquals(expected[c], served.get(c).getAsFloat(), 0f, "class " + c);
    }
  }

  @Test
  void theMetadataListsBothSignatures() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/fashion/metadata"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonObject defs =
        JsonParser.parseString(r.body())
            .getAsJsonObject()
            .getAsJsonObject("metadata")
            .getAsJsonObject("signature_def")
            .getAsJsonObject("signature_def");
    assertTrue(defs.has("serving_default"), defs.toString());
    JsonObject input =
        defs.getAsJsonObject("serving_images")
            .getAsJsonObject("inputs")
            .getAsJsonObject("image_bytes");
    assertEquals("DT_STRING", input.get("dtype").getAsString());
  }

  @Test
  void badFilesGet400NamingTheInstanceAndTheServerAnswersAfterEach() throws Exception {
    String prefix = "{\"signature_name\": \"serving_images\", \"instances\": [";
    byte[] bomb = png(0);
    ByteBuffer header = ByteBuffer.wrap(bomb);
    header.putInt(16, 100_000).putInt(20, 100_000); // IHDR's width and height
    CRC32 crc = new CRC32();
    crc.update(bomb, 12, 17);
    header.putInt(29, (int) crc.getValue());
    String[][] cases = {
      {prefix + "{\"b64\": \"not base64!\"}]}", "instance 0: b64 is not base64"},
      {
        prefix + b64(png(1)) + ", " + b64("just text".getBytes()) + "]}",
        "instance 1: not a PNG, JPEG, GIF or BMP image"
      },
      {prefix + b64(bomb) + "]}", "instance 0: 100000x100000 pixels is more than"},
      // Its header whole, its image data cut off: the graph's decoder refuses it, then predict's.
      {prefix + b64(png(1)) + ", " + b64(java.util.Arrays.copyOf(png(1), 60)) + "]}", "instance 1"},
      {prefix + "[" + "0, ".repeat(783) + "0]]}", "takes image files"},
      {"{\"instances\": [" + b64(png(1)) + "]}", "image files go to signature 'serving_images'"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = predict(c[0]);
      assertEquals(400, r.statusCode(), r.body());
      String error = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
      assertTrue(error.startsWith(c[1]) || error.contains(c[1]), error);
      assertEquals(
          200,
          predict("{\"signature_name\": \"serving_images\", \"instances\": [" + b64(png(2)) + "]}")
              .statusCode(),
          "answering after: " + c[1]);
    }
  }
}
