package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convnet.cli.MainAccess;
import dev.convnet.data.ImageInput;
import dev.convnet.data.ImageSet;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Rounding;
import dev.convnet.testing.Servers;
import dev.convnet.testing.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with a real HTTP client against a server on a free port: TensorFlow Serving's
 * request and answer formats, status and metadata, every error, the image route, the page, and a
 * bounded load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestServerTest {
  @TempDir static Path dir;
  private Path savedModel;
  private SavedModelClassifier model;
  private RestServer server;
  private ImageSet test;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * How far two runs of the model that add in different orders (a shared batch against an image's
   * own run) may put one logit, from float32 rounding over the network's sums (Rounding).
   */
  private double logitError;

  @BeforeAll
  void trainExportAndServe() {
    TrainedModel trained = TrainedModel.get();
    test = trained.split.test();
    savedModel = trained.savedModel;
    logitError = trained.logitError;
    model = SavedModelClassifier.load(savedModel);
    server =
        Servers.start(
            model, RestServer.Config.defaults().withPort(0).withMaxBodyBytes(64 * 1024), test);
  }

  @AfterAll
  void stop() {
    server.close();
    model.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  private String row(int i) {
    return TrainedModel.get().pixelsJson(i);
  }

  private static float[] floats(JsonArray a) {
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = a.get(i).getAsFloat();
    }
    return f;
  }

  /**
   * A request that runs alone runs in the test's own session, at its own batch size: the same ops
   * on the same bits at the same shapes and threads, and oneDNN's CPU kernels are deterministic for
   * equal inputs, so the answers are compared exactly.
   */
  @Test
  void rowFormatAnswersEachInstanceWithBothOutputsAsTheModelComputesThem() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/models/fashion:predict",
            "{\"instances\": [" + row(0) + ", " + row(1) + ", " + row(2) + "]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonArray predictions = json(r).getAsJsonArray("predictions");
    assertEquals(3, predictions.size());
    float[] expected = model.probabilities(test.images(ImageSet.range(0, 3)), 3);
    long[] classes = model.classes(test.images(ImageSet.range(0, 3)), 3);
    for (int i = 0; i < 3; i++) {
      JsonObject p = predictions.get(i).getAsJsonObject();
      float[] probabilities = floats(p.getAsJsonArray("probabilities"));
      for (int c = 0; c < 10; c++) {
        assertEquals(expected[i * 10 + c], probabilities[c], 0f, "image " + i);
      }
      assertEquals(classes[i], p.get("class").getAsLong());
    }
    assertEquals(
        r.body(),
        post(
                "/v1/models/fashion/versions/1:predict",
                "{\"instances\": [{\"x\": "
                    + row(0)
                    + "}, {\"x\": "
                    + row(1)
                    + "}, {\"x\": "
                    + row(2)
                    + "}]}")
            .body(),
        "the version path and named instances answer the same");
  }

  @Test
  void columnarFormatAnswersWithOutputs() throws Exception {
    HttpResponse<String> r =
        post(
            "/v1/models/fashion:predict",
            "{\"signature_name\": \"serving_default\", \"inputs\": {\"x\": ["
                + row(3)
                + ","
                + row(4)
                + "]}}");
    assertEquals(200, r.statusCode(), r.body());
    JsonObject outputs = json(r).getAsJsonObject("outputs");
    long[] classes = model.classes(test.images(ImageSet.range(3, 5)), 2);
    assertEquals(classes[0], outputs.getAsJsonArray("class").get(0).getAsLong());
    assertEquals(classes[1], outputs.getAsJsonArray("class").get(1).getAsLong());
    float[] expected = model.probabilities(test.images(ImageSet.range(3, 5)), 2);
    JsonArray probabilities = outputs.getAsJsonArray("probabilities");
    assertEquals(2, probabilities.size());
    for (int i = 0; i < 2; i++) {
      float[] got = floats(probabilities.get(i).getAsJsonArray());
      assertEquals(10, got.length);
      for (int c = 0; c < 10; c++) {
        assertEquals(expected[i * 10 + c], got[c], 0f, "image " + (3 + i) + ", class " + c);
      }
    }
  }

  @Test
  void statusAndMetadataAreTensorFlowServings() throws Exception {
    JsonObject status = json(get("/v1/models/fashion"));
    JsonObject version = status.getAsJsonArray("model_version_status").get(0).getAsJsonObject();
    assertEquals("1", version.get("version").getAsString());
    assertEquals("AVAILABLE", version.get("state").getAsString());
    assertEquals("OK", version.getAsJsonObject("status").get("error_code").getAsString());
    assertEquals(status, json(get("/v1/models/fashion/versions/1")));

    JsonObject def =
        json(get("/v1/models/fashion/metadata"))
            .getAsJsonObject("metadata")
            .getAsJsonObject("signature_def")
            .getAsJsonObject("signature_def")
            .getAsJsonObject("serving_default");
    assertEquals("tensorflow/serving/predict", def.get("method_name").getAsString());
    JsonObject x = def.getAsJsonObject("inputs").getAsJsonObject("x");
    assertEquals("DT_FLOAT", x.get("dtype").getAsString());
    JsonArray dims = x.getAsJsonObject("tensor_shape").getAsJsonArray("dim");
    assertEquals("-1", dims.get(0).getAsJsonObject().get("size").getAsString());
    assertEquals("784", dims.get(1).getAsJsonObject().get("size").getAsString());
    assertEquals(
        "DT_INT64",
        def.getAsJsonObject("outputs").getAsJsonObject("class").get("dtype").getAsString());
    assertEquals(
        "DT_FLOAT",
        def.getAsJsonObject("outputs").getAsJsonObject("probabilities").get("dtype").getAsString());
  }

  private void assertError(HttpResponse<String> r, int status, String words) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    String error = json(r).get("error").getAsString();
    assertTrue(error.contains(words), error);
    assertEquals(200, get("/v1/models/fashion").statusCode(), "still answering after " + error);
  }

  @Test
  void everyBadRequestGetsTensorFlowServingsCodeAndTheServerKeepsAnswering() throws Exception {
    String predict = "/v1/models/fashion:predict";
    String zeros = "[" + "0,".repeat(783) + "0]";
    assertError(post(predict, "{\"instances\": [[0, 0"), 400, "malformed JSON");
    assertError(post(predict, "not json"), 400, "malformed JSON");
    assertError(post(predict, "{\"instances\": [[1, 2, 3]]}"), 400, "must be a list of 784");
    assertError(
        post(predict, "{\"instances\": [[" + "\"a\",".repeat(783) + "\"a\"]]}"),
        400,
        "not a number");
    assertError(
        post(predict, "{\"instances\": [" + zeros + "], \"inputs\": [" + zeros + "]}"),
        400,
        "not both");
    assertError(
        post(predict, "{\"signature_name\": \"other\", \"instances\": [" + zeros + "]}"),
        400,
        "not found");
    assertError(post(predict, "{}"), 400, "Missing");
    assertError(post(predict, "[1]"), 400, "JSON object");
    assertError(post("/v1/models/other:predict", "{}"), 404, "Servable not found");
    assertError(post("/v1/models/fashion/versions/2:predict", "{}"), 404, "Specific(fashion, 2)");
    assertError(get("/v1/models/fashion:classify"), 400, "Malformed request");
    assertError(get("/no/such/path"), 404, "no such path");
    assertError(get("/page/"), 404, "no such path");
    assertError(get(predict), 400, "Malformed request: GET");
    assertError(post("/v1/models/fashion", "{}"), 400, "Malformed request: POST");
    assertError(post("/page.js", "{}"), 405, "use GET"); // the page's own routes keep HTTP's codes
    assertError(
        post(predict, "{\"instances\": [" + (zeros + ",").repeat(60) + zeros + "]}"),
        413,
        "larger than");
  }

  @Test
  void everyInstancesPixelsKeepTheirPlaceAsTheBufferGrows() {
    for (int count : new int[] {1, 2, 3, 5}) {
      StringBuilder sb = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < count; i++) {
        sb.append(i == 0 ? "[" : ",[");
        for (int p = 0; p < 784; p++) {
          sb.append(p == 0 ? "" : ",").append((i * 784 + p) % 1000 / 1000.0);
        }
        sb.append(']');
      }
      ServingApi.PredictRequest request = ServingApi.parsePredict(sb + "]}");
      float[] pixels = request.instances().pixels("instance");
      assertEquals(count * 784, pixels.length, count + " images");
      for (int k = 0; k < pixels.length; k++) {
        assertEquals((float) (k % 1000 / 1000.0), pixels[k], "pixel " + k + " of " + count);
      }
    }
  }

  @Test
  void moreThan1024InstancesAreRefused() {
    StringBuilder sb = new StringBuilder("{\"instances\": [");
    for (int i = 0; i <= ServingApi.MAX_INSTANCES; i++) {
      sb.append(i == 0 ? "" : ",").append("[").append("0,".repeat(783)).append("0]");
    }
    ServingApi.ApiException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ServingApi.ApiException.class, () -> ServingApi.parsePredict(sb + "]}"));
    assertEquals(413, e.status());
  }

  @Test
  void anImageFileGetsWhatPredictJsonPrintsForIt() throws Exception {
    Path png = dir.resolve("shirt.png");
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    float[] pixels = test.image(7);
    for (int i = 0; i < 784; i++) {
      int v = Math.round(pixels[i] * 255);
      image.getRaster().setSample(i % 28, i / 28, 0, v);
    }
    ImageIO.write(image, "png", png.toFile());
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/images:classify?name=" + png))
                .POST(HttpRequest.BodyPublishers.ofFile(png))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    StringWriter out = new StringWriter();
    var cl = MainAccess.commandLine();
    cl.setOut(new PrintWriter(out));
    assertEquals(
        0, cl.execute("predict", "--json", "--model", savedModel.toString(), png.toString()));
    assertEquals(JsonParser.parseString(out.toString().strip()), json(r));

    JsonObject withPixels =
        json(
            client.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/images:classify?pixels=1"))
                    .POST(HttpRequest.BodyPublishers.ofFile(png))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
    assertArrayEquals(
        ImageInput.read(png).pixels(),
        floats(withPixels.getAsJsonArray("pixels")),
        0f,
        "the 28x28 picture the network sees, as predict prepares it");
    assertEquals(10, withPixels.getAsJsonArray("probabilities").size());

    Path text = dir.resolve("notes.png");
    Files.writeString(text, "not an image");
    HttpResponse<String> bad =
        client.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/images:classify?name=notes.png"))
                .POST(HttpRequest.BodyPublishers.ofFile(text))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(bad, 400, "notes.png: not a PNG, JPEG, GIF or BMP image");
  }

  @Test
  void thePageAndItsScriptAndExamplesAreServedAndNothingElse() throws Exception {
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("<canvas id=\"draw\""), page.body());
    assertEquals(200, get("/page.js").statusCode());
    JsonArray examples = JsonParser.parseString(get("/examples.json").body()).getAsJsonArray();
    assertTrue(examples.size() >= 2, examples.toString());
    assertEquals(784, examples.get(0).getAsJsonObject().getAsJsonArray("pixels").size());
    for (String path :
        new String[] {"/page/index.html", "/dev/convnet/serve/page/page.js", "/index.html/"}) {
      assertEquals(404, get(path).statusCode(), path);
    }
    // A path that climbs above the root is refused by Jetty before any route (its design): 400.
    HttpResponse<String> climbing = get("/%2e%2e/pom.xml");
    assertEquals(400, climbing.statusCode());
    assertTrue(json(climbing).has("error"), climbing.body());
  }

  /** {@code clients} clients each posting {@code body} {@code times} times; every answer. */
  private static List<String> concurrentAnswers(String url, String body, int clients, int times)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        results.add(
            pool.submit(
                () -> {
                  List<String> answers = new ArrayList<>();
                  for (int i = 0; i < times; i++) {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(URI.create(url))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    answers.add(r.statusCode() == 200 ? r.body() : r.statusCode() + r.body());
                  }
                  return answers;
                }));
      }
      List<String> all = new ArrayList<>();
      for (Future<List<String>> f : results) {
        all.addAll(f.get(120, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void eightClientsOf250RequestsEachGetEveryAnswerWithBatching() throws Exception {
    String body = "{\"instances\": [" + row(0) + "]}";
    float[] alone = model.probabilities(test.images(ImageSet.range(0, 1)), 1);
    long aloneClass = model.classes(test.images(ImageSet.range(0, 1)), 1)[0];
    List<String> answers =
        concurrentAnswers(server.url() + "/v1/models/fashion:predict", body, 8, 250);
    assertEquals(2_000, answers.size());
    for (String answer : answers) {
      JsonObject p =
          JsonParser.parseString(answer)
              .getAsJsonObject()
              .getAsJsonArray("predictions")
              .get(0)
              .getAsJsonObject();
      assertSameWithinRounding(
          alone,
          aloneClass,
          floats(p.getAsJsonArray("probabilities")),
          p.get("class").getAsLong(),
          answer);
    }
  }

  @Test
  void inTheExactModeEveryAnswerIsTheLoneRequestsByteForByte() throws Exception {
    // As serve loads it: each run on its caller's thread; the same numbers as evaluate's session.
    try (SavedModelClassifier served =
            SavedModelClassifier.load(
                savedModel, dev.convnet.model.Device.CPU_NAME, SavedModelClassifier.Callers.MANY);
        RestServer exact =
            Servers.start(
                served, RestServer.Config.defaults().withPort(0).withBatching(false), null)) {
      String url = exact.url() + "/v1/models/fashion:predict";
      String body = "{\"instances\": [" + row(0) + "," + row(1) + "]}";
      String lone = concurrentAnswers(url, body, 1, 1).get(0);
      JsonArray predictions =
          JsonParser.parseString(lone).getAsJsonObject().getAsJsonArray("predictions");
      // Its own session at the same batch size: exact, as for a lone request above.
      float[] expected = served.probabilities(test.images(ImageSet.range(0, 2)), 2);
      for (int i = 0; i < 2; i++) {
        assertArrayEquals(
            java.util.Arrays.copyOfRange(expected, i * 10, i * 10 + 10),
            floats(predictions.get(i).getAsJsonObject().getAsJsonArray("probabilities")),
            0f,
            "image " + i + " as the model gives it in a run of its own");
      }
      for (String answer : concurrentAnswers(url, body, 8, 100)) {
        assertEquals(lone, answer);
      }
    }
  }

  @Test
  void requestsThatShareARunEachGetTheirOwnImagesAnswers() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try (Batcher batcher = new Batcher(model)) {
      List<Future<Boolean>> same = new ArrayList<>();
      for (int t = 0; t < 200; t++) {
        int from = t % 150;
        int n = 1 + t % 3;
        same.add(
            clients.submit(
                () -> {
                  float[] images = test.images(ImageSet.range(from, from + n));
                  SavedModelClassifier.Outputs shared = batcher.predict(images, n);
                  SavedModelClassifier.Outputs alone = model.predict(images, n);
                  for (int i = 0; i < n; i++) {
                    assertSameWithinRounding(
                        java.util.Arrays.copyOfRange(alone.probabilities(), i * 10, i * 10 + 10),
                        alone.classes()[i],
                        java.util.Arrays.copyOfRange(shared.probabilities(), i * 10, i * 10 + 10),
                        shared.classes()[i],
                        "image " + (from + i));
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : same) {
        assertTrue(f.get(60, TimeUnit.SECONDS), "an answer differs from the image's own run");
      }
      assertTrue(batcher.runs() < 200, batcher.runs() + " runs for 200 requests: none shared");
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * One image's answers from two runs that may add in different orders: each logit moves by at most
   * {@link #logitError}, so each probability exp(z - logsumexp(z)) by at most a factor exp(2
   * error), plus the softmax's own few roundings; the class may differ only where the two largest
   * probabilities are within that factor of each other.
   */
  private void assertSameWithinRounding(
      float[] alone, long aloneClass, float[] shared, long sharedClass, String what) {
    assertEquals(alone.length, shared.length, what);
    double factor = Math.expm1(2 * logitError);
    for (int c = 0; c < alone.length; c++) {
      double tolerance = alone[c] * factor + 8 * Rounding.UNIT * alone[c];
      assertEquals(alone[c], shared[c], tolerance, what + ", class " + c);
    }
    if (aloneClass != sharedClass) {
      double ratio = alone[(int) aloneClass] / alone[(int) sharedClass];
      assertTrue(Math.log(ratio) <= 2 * logitError, what + ": the class differs");
    }
  }

  @Test
  void aGetWithABodyKeepsItsConnectionForTheNextRequest() throws Exception {
    URI uri = URI.create(server.url());
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      var out = socket.getOutputStream();
      // TensorFlow Serving's own tests send GETs with a body; this one's arrives after the answer
      // could have been written, as it may from a client on a busy machine.
      out.write(
          ("GET /v1/models/fashion HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(300);
      out.write(
          ("{}GET /v1/models/fashion HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      String answers =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(2, answers.split("HTTP/1.1 200", -1).length - 1, answers);
    }
  }

  @Test
  void aServerStoppingFinishesWhatIsInFlightAndRefusesTheRest() throws Exception {
    try (SavedModelClassifier own = SavedModelClassifier.load(savedModel)) {
      RestServer second = Servers.start(own, RestServer.Config.defaults().withPort(0), null);
      URI uri = URI.create(second.url());
      byte[] body =
          ("{\"instances\": [" + row(0) + "]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      try (java.net.Socket slow = new java.net.Socket(uri.getHost(), uri.getPort())) {
        slow.setSoTimeout(10_000);
        var out = slow.getOutputStream();
        // A request in flight: its headers and half its body sent when the stop begins.
        out.write(
            ("POST /v1/models/fashion:predict HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(body, 0, body.length / 2);
        out.flush();
        Thread.sleep(200); // the server has started reading it
        Thread stopping = new Thread(() -> second.stop(5));
        stopping.start();
        Thread.sleep(200);
        // While it drains, a new request is refused: 503, TensorFlow Serving's "unavailable".
        assertEquals(
            503,
            client
                .send(
                    HttpRequest.newBuilder(uri.resolve("/v1/models/fashion")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode());
        out.write(body, body.length / 2, body.length - body.length / 2);
        out.flush();
        String answer =
            new String(
                slow.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        long expected = model.classes(test.images(ImageSet.range(0, 1)), 1)[0];
        assertTrue(answer.matches("(?s).*\"class\"\\s*:\\s*" + expected + "\\D.*"), answer);
        stopping.join(10_000);
        assertFalse(stopping.isAlive(), "the stop ends once the request in flight is answered");
        assertThrows(
            IOException.class,
            () ->
                client.send(
                    HttpRequest.newBuilder(uri.resolve("/v1/models/fashion")).build(),
                    HttpResponse.BodyHandlers.ofString()),
            "stopped: nothing listens");
      }
    }
  }
}
