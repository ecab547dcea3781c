package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convnet.data.ImageSet;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Servers;
import dev.convnet.testing.TrainedModel;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code serve} answers the cases TensorFlow Serving's own tests and docs pin as TensorFlow Serving
 * does: status code and body shape. Each case names where it comes from in tensorflow/serving:
 * model_servers/http_rest_api_handler_test.cc (the handler's tests), http_rest_api_util.cc (its
 * path patterns), util/json_tensor_test.cc (the JSON parser's tests), g3doc/api_rest.md (the
 * documented API). The deliberate differences are listed in docs/serving.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingConformanceTest {
  private SavedModelClassifier model;
  private RestServer server;
  private ImageSet test;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void serve() {
    TrainedModel trained = TrainedModel.get();
    test = trained.split.test();
    model = SavedModelClassifier.load(trained.savedModel);
    server = Servers.start(model, RestServer.Config.defaults().withPort(0), null);
  }

  @AfterAll
  void stop() {
    server.close();
    model.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body.getBytes(StandardCharsets.UTF_8), null);
  }

  private HttpResponse<String> send(String method, String path, byte[] body, String encoding)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      request.header("Content-Encoding", encoding);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void assertError(HttpResponse<String> r, int status, String words) {
    assertEquals(status, r.statusCode(), r.body());
    String error = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
    assertTrue(error.contains(words), error);
  }

  private String pixels(int image) {
    return TrainedModel.get().pixelsJson(image);
  }

  /** The answer to a good request for test image 0, to compare other spellings of it with. */
  private JsonObject answer(String path, String body) throws Exception {
    HttpResponse<String> r = send("POST", path, body);
    assertEquals(200, r.statusCode(), r.body());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  /** http_rest_api_handler_test.cc, UnsupportedApiCalls: every one a 400, never a 404 or 405. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "GET, /v1/foo, Malformed request",
    "POST, /v1/foo, Malformed request",
    "GET, /v1/models, Missing model name",
    "GET, /v1/models/debug/model_name, Malformed request",
    "POST, /v1/models, Malformed request",
    "GET, /v1/models/fashion:predict, Malformed request",
    "GET, /v1/models/fashion/version/50:predict, Malformed request",
    "POST, /v1/models/fashion/version/50:regress, Malformed request",
    "POST, /v1/models/fashion/versions/HELLO:regress, Malformed request",
    "POST, /v1/models/fashion/versions/18446744073709551615:regress, Failed to convert version",
    "POST, /v1/models/fashion/metadata, Malformed request",
    "POST, /v1/models/fashion/label/some_label:regress, Malformed request",
    "POST, /v1/models/fashion/versions/50/labels/some_label:regress, Malformed request",
    "POST, /v1/models/fashion/versions/some_label:regress, Malformed request",
    // http_rest_api_util.cc's patterns: a trailing slash, an unknown verb, another method
    "GET, /v1/models/fashion/, Malformed request",
    "POST, /v1/models/fashion:explain, Malformed request",
    "PUT, /v1/models/fashion:predict, Malformed request",
    "DELETE, /v1/models/fashion, Malformed request"
  })
  void unsupportedApiCallsAreMalformedRequests(String method, String path, String words)
      throws Exception {
    assertError(send(method, path, "{}"), 400, words);
  }

  /** http_rest_api_handler_test.cc, PredictModelNameVersionErrors: 404 for what is not there. */
  @Test
  void anotherModelOrVersionIsNotFound() throws Exception {
    String body = "{\"instances\": [" + pixels(0) + "]}";
    assertError(send("POST", "/v1/models/foo:predict", body), 404, "Latest(foo)");
    assertError(send("POST", "/v1/models/foo/versions/50:predict", body), 404, "Specific(foo, 50)");
    assertError(
        send("POST", "/v1/models/fashion/versions/99:predict", body), 404, "Specific(fashion, 99)");
  }

  /** http_rest_api_handler_test.cc, PredictRequestErrors. */
  @Test
  void badPredictRequestsAre400s() throws Exception {
    String predict = "/v1/models/fashion:predict";
    assertError(send("POST", predict, ""), 400, "The document is empty");
    assertError(send("POST", predict, "instances = [1, 2]"), 400, "malformed JSON");
    assertError(send("POST", predict, "{\"instances\": [\"x\", \"y\"]}"), 400, "image 0");
    assertError(
        send("POST", "/v1/models/fashion/labels/Version_Nonexistent:predict", "{}"),
        400,
        "Unrecognized servable version label: Version_Nonexistent");
    assertError(
        send("POST", predict, "{\"signature_name\": 100}"),
        400,
        "'signature_name' key must be a string value.");
    // json_tensor: null is not a string either.
    assertError(
        send("POST", predict, "{\"signature_name\": null, \"instances\": [" + pixels(0) + "]}"),
        400,
        "'signature_name' key must be a string value.");
    // api_rest.md, the row format: every instance alike, all named objects or all lists.
    assertError(
        send("POST", predict, "{\"instances\": [{\"x\": " + pixels(0) + "}, " + pixels(1) + "]}"),
        400,
        "all be objects or all be lists");
    // A model of predict signatures has nothing to classify or regress with.
    assertError(
        send("POST", "/v1/models/fashion:classify", "{\"examples\": []}"),
        400,
        "classification signature");
    assertError(
        send("POST", "/v1/models/fashion:regress", "{\"examples\": []}"),
        400,
        "regression signature");
  }

  /**
   * http_rest_api_handler_test.cc, Predict: the latest version, a specific one, an explicit
   * signature_name, the columnar format; and other spellings TensorFlow Serving takes the same way.
   */
  @Test
  void theSameRequestSpelledEveryAcceptedWayGetsTheSameAnswer() throws Exception {
    String rows = "{\"instances\": [" + pixels(0) + "]}";
    JsonObject latest = answer("/v1/models/fashion:predict", rows);
    assertEquals(latest, answer("/v1/models/fashion/versions/1:predict", rows));
    assertEquals(
        latest,
        answer(
            "/v1/models/fashion:predict",
            "{\"signature_name\": \"serving_default\", \"instances\": [" + pixels(0) + "]}"));
    // http_rest_api_handler.cc: an empty signature_name is the default signature.
    assertEquals(
        latest,
        answer(
            "/v1/models/fashion:predict",
            "{\"signature_name\": \"\", \"instances\": [" + pixels(0) + "]}"));
    // http_rest_api_util.cc: paths match in any case; the model name is percent-decoded.
    assertEquals(latest, answer("/V1/MODELS/fashion:PREDICT", rows));
    assertEquals(latest, answer("/v1/models/fashio%6E:predict", rows));
    // json_tensor: keys that name no input, and bytes after the object, are not read.
    assertEquals(
        latest,
        answer(
            "/v1/models/fashion:predict",
            "{\"nested\": "
                + "[".repeat(5_000)
                + "]".repeat(5_000)
                + ", \"instances\": ["
                + pixels(0)
                + "]} trailing"));
    JsonObject columns =
        answer(
            "/v1/models/fashion:predict",
            "{\"inputs\": {\"x\": [" + pixels(0) + "], \"unused\": [1, 2]}}");
    assertEquals(
        latest.getAsJsonArray("predictions").get(0).getAsJsonObject().get("class"),
        columns.getAsJsonObject("outputs").getAsJsonArray("class").get(0));
  }

  /** The HTTP server inflates a body sent with Content-Encoding: gzip. */
  @Test
  void aGzipBodyIsInflated() throws Exception {
    String rows = "{\"instances\": [" + pixels(0) + "]}";
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(packed)) {
      gzip.write(rows.getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<String> r =
        send("POST", "/v1/models/fashion:predict", packed.toByteArray(), "gzip");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(answer("/v1/models/fashion:predict", rows), JsonParser.parseString(r.body()));
    assertError(
        send("POST", "/v1/models/fashion:predict", "not gzip".getBytes(), "gzip"), 400, "gzip");
  }

  /**
   * api_rest.md ("NaN and Infinity ... are supported") and json_tensor_test.cc: the tokens NaN,
   * Infinity and -Infinity are floats, and so is a number beyond float32 (its infinity); the answer
   * writes what the model computes, NaN included.
   */
  @Test
  void nanInfinityAndOverflowingNumbersAreFloats() throws Exception {
    String[] tokens = {"NaN", "Infinity", "-Infinity", "1e39"};
    for (String token : tokens) {
      String image = "[" + token + pixels(0).substring(pixels(0).indexOf(','));
      HttpResponse<String> r =
          send("POST", "/v1/models/fashion:predict", "{\"instances\": [" + image + "]}");
      assertEquals(200, r.statusCode(), token + ": " + r.body());
      JsonArray probabilities =
          JsonParser.parseString(r.body())
              .getAsJsonObject()
              .getAsJsonArray("predictions")
              .get(0)
              .getAsJsonObject()
              .getAsJsonArray("probabilities");
      assertEquals(10, probabilities.size(), token);
    }
    // A quoted "NaN" is a string, not a number.
    assertError(
        send(
            "POST",
            "/v1/models/fashion:predict",
            "{\"instances\": [[\"NaN\"" + ",0".repeat(783) + "]]}"),
        400,
        "not a number");
  }

  /**
   * json_tensor_test.cc and api_rest.md's b64 section: a b64 value with line breaks (Python's
   * base64.encodebytes) or in the web-safe alphabet decodes to the same file.
   */
  @Test
  void base64WithLineBreaksOrTheWebSafeAlphabetIsTheSameFile() throws Exception {
    byte[] png = png(test.image(0));
    String plain = Base64.getEncoder().encodeToString(png);
    String lines = Base64.getMimeEncoder(76, "\n".getBytes()).encodeToString(png) + "\n";
    String webSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(png);
    JsonObject expected = null;
    for (String b64 : new String[] {plain, lines, webSafe}) {
      JsonObject got =
          answer(
              "/v1/models/fashion:predict",
              "{\"signature_name\": \"serving_images\", \"instances\": [{\"b64\": "
                  + JsonParser.parseString("\"" + b64.replace("\n", "\\n") + "\"")
                  + "}]}");
      expected = expected == null ? got : expected;
      assertEquals(expected, got);
    }
  }

  private static byte[] png(float[] pixels) throws java.io.IOException {
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < pixels.length; i++) {
      image.getRaster().setSample(i % 28, i / 28, 0, Math.round(pixels[i] * 255));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** http_rest_api_handler_test.cc, GetModelMetadata: each SignatureDef with its defaults. */
  @Test
  void metadataShowsEachSignatureDefAsTensorFlowServingPrintsIt() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/models/fashion/metadata", "");
    assertEquals(200, r.statusCode());
    JsonObject defs =
        JsonParser.parseString(r.body())
            .getAsJsonObject()
            .getAsJsonObject("metadata")
            .getAsJsonObject("signature_def")
            .getAsJsonObject("signature_def");
    for (String key : defs.keySet()) {
      JsonObject def = defs.getAsJsonObject(key);
      assertTrue(def.has("defaults") && def.getAsJsonObject("defaults").size() == 0, key);
      assertEquals("tensorflow/serving/predict", def.get("method_name").getAsString(), key);
      JsonArray dims =
          def.getAsJsonObject("outputs")
              .getAsJsonObject("probabilities")
              .getAsJsonObject("tensor_shape")
              .getAsJsonArray("dim");
      assertEquals("-1", dims.get(0).getAsJsonObject().get("size").getAsString(), key);
    }
  }
}
