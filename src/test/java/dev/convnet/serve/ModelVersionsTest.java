package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.TrainedModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} on a base path of numbered versions, as TensorFlow Serving serves one: the newest
 * version answers once loaded and warmed up, a newer one is picked up while serving with no failed
 * request, a broken one leaves the served one serving and says why, readiness and metrics tell.
 */
class ModelVersionsTest {
  @TempDir Path dir;
  private final HttpClient client = HttpClient.newHttpClient();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private ModelVersions watch(Path base) {
    return ModelVersions.watch(
        "fashion", base, SavedModelClassifier::load, true, Duration.ofMillis(200), log::add);
  }

  private HttpResponse<String> get(RestServer server, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> predict(RestServer server, String path) throws Exception {
    String body = "{\"instances\": [" + TrainedModel.get().pixelsJson(0) + "]}";
    return client.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The state of each version the status answer lists, as "2 AVAILABLE, 1 END". */
  private String states(RestServer server) throws Exception {
    JsonArray versions =
        JsonParser.parseString(get(server, "/v1/models/fashion").body())
            .getAsJsonObject()
            .getAsJsonArray("model_version_status");
    List<String> states = new ArrayList<>();
    for (var v : versions) {
      JsonObject o = v.getAsJsonObject();
      states.add(o.get("version").getAsString() + " " + o.get("state").getAsString());
    }
    return String.join(", ", states);
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  private static BooleanSupplier unchecked(java.util.concurrent.Callable<Boolean> check) {
    return () -> {
      try {
        return check.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Test
  void theNewestVersionServesAndANewerOneTakesOverUnderLoadWithNoFailedRequest() throws Exception {
    Path base = dir.resolve("base");
    Path model = TrainedModel.get().savedModel;
    assertEquals(1, ModelExport.publishVersion(model, base));
    assertEquals(2, ModelExport.publishVersion(model, base));
    Files.createDirectories(base.resolve("not-a-version"));
    try (RestServer server =
        RestServer.start(watch(base), RestServer.Config.defaults().withPort(0), null)) {
      await("version 2", unchecked(() -> get(server, "/ready").statusCode() == 200));
      assertEquals("2 AVAILABLE", states(server));
      assertEquals(200, predict(server, "/v1/models/fashion/versions/2:predict").statusCode());
      assertEquals(404, predict(server, "/v1/models/fashion/versions/1:predict").statusCode());

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger answered = new AtomicInteger();
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        Thread t =
            new Thread(
                () -> {
                  while (running.get()) {
                    try {
                      HttpResponse<String> r = predict(server, "/v1/models/fashion:predict");
                      if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                      answered.incrementAndGet();
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                });
        t.start();
        clients.add(t);
      }
      await("some answers under load", () -> answered.get() > 50);
      assertEquals(3, ModelExport.publishVersion(model, base));
      await("version 3 to take over", unchecked(() -> states(server).equals("3 AVAILABLE, 2 END")));
      int atSwitch = answered.get();
      await("answers after the switch", () -> answered.get() > atSwitch + 50);
      running.set(false);
      for (Thread t : clients) {
        t.join();
      }
      assertEquals(List.of(), failures, "no request failed during the switch");
      assertEquals(200, predict(server, "/v1/models/fashion/versions/3:predict").statusCode());
      assertEquals(404, predict(server, "/v1/models/fashion/versions/2:predict").statusCode());

      String metrics = get(server, ServeMetrics.PATH).body();
      assertTrue(
          metrics.contains(
              "serve_requests_total{code=\"200\",model=\"fashion\",signature=\"serving_default\"}"),
          metrics);
      assertTrue(
          metrics.contains("serve_version_load_seconds{model=\"fashion\",version=\"3\"}"), metrics);
      assertTrue(metrics.contains("serve_batch_images_bucket{"), metrics);
      assertTrue(metrics.contains("serve_request_duration_seconds_count{"), metrics);
    }
  }

  @Test
  void aBrokenVersionLeavesTheServedOneServingAndTheStatusSaysWhy() throws Exception {
    Path base = dir.resolve("base");
    ModelExport.publishVersion(TrainedModel.get().savedModel, base);
    try (RestServer server =
        RestServer.start(watch(base), RestServer.Config.defaults().withPort(0), null)) {
      await("version 1", unchecked(() -> get(server, "/ready").statusCode() == 200));
      Path broken = Files.createDirectories(base.resolve("2"));
      Files.writeString(broken.resolve("saved_model.pb"), "half a file");
      await("version 2 to fail", unchecked(() -> states(server).startsWith("2 END")));
      JsonObject two =
          JsonParser.parseString(get(server, "/v1/models/fashion/versions/2").body())
              .getAsJsonObject()
              .getAsJsonArray("model_version_status")
              .get(0)
              .getAsJsonObject();
      assertEquals("UNKNOWN", two.getAsJsonObject("status").get("error_code").getAsString());
      assertTrue(
          two.getAsJsonObject("status").get("error_message").getAsString().contains("variables"),
          two.toString());
      assertEquals("2 END, 1 AVAILABLE", states(server));
      assertEquals(200, predict(server, "/v1/models/fashion:predict").statusCode());
      assertEquals(200, get(server, "/ready").statusCode());
      assertTrue(
          log.stream().anyMatch(l -> l.contains("version 2") && l.contains("still serving")),
          log.toString());
    }
  }

  @Test
  void readinessIs503UntilAVersionIsAvailable() throws Exception {
    Path base = Files.createDirectories(dir.resolve("empty"));
    try (RestServer server =
        RestServer.start(watch(base), RestServer.Config.defaults().withPort(0), null)) {
      HttpResponse<String> notYet = get(server, "/ready");
      assertEquals(503, notYet.statusCode(), notYet.body());
      assertEquals(404, predict(server, "/v1/models/fashion:predict").statusCode());
      ModelExport.publishVersion(TrainedModel.get().savedModel, base);
      await("version 1", unchecked(() -> get(server, "/ready").statusCode() == 200));
      assertTrue(log.stream().anyMatch(l -> l.contains("warm-up requests")), log.toString());
    }
  }
}
