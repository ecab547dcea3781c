package dev.convnet.bench;

import dev.convnet.data.ImageSet;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.serve.ModelExport;
import dev.convnet.serve.RestServer;
import dev.convnet.serve.SavedModelClassifier;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * {@code bench --serve}: the notebook's network as a SavedModel behind {@code serve}, loaded by
 * clients on this machine: single-image requests at several concurrencies (requests/s, p50 and p99
 * latency), and images/s at 64 images a request against the same model evaluating in process.
 * Client and server share the machine's cores, as they would on one host.
 */
public final class ServeBenchmark {
  /** Concurrent clients of the single-image rows. */
  public static final List<Integer> CLIENTS = List.of(1, 8, 32);

  /** Images in each request of the batch row, and its clients. */
  public static final int BATCH = 64;

  private static final int BATCH_CLIENTS = 8;

  private final double seconds;
  private final ImageSet test;
  private final PrintWriter out;

  public ServeBenchmark(double seconds, ImageSet test, PrintWriter out) {
    this.seconds = seconds;
    this.test = test;
    this.out = out;
  }

  /** Exports a fresh notebook network (speed does not depend on the weights) and measures. */
  public BenchResult.ServeFigures run() {
    Path dir;
    try {
      dir = Files.createTempDirectory("convnet-bench-serve");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path savedModel = dir.resolve("saved_model");
    try (ConvNet net = new ConvNet(ModelConfig.notebook(), 1)) {
      net.initialize();
      ModelExport.export(net, savedModel);
    }
    try (SavedModelClassifier model = SavedModelClassifier.load(savedModel)) {
      List<BenchResult.LoadRow> rows = new ArrayList<>();
      long served = 0;
      long servedFiles = 0;
      for (boolean batching : new boolean[] {false, true}) {
        RestServer.Config config = RestServer.Config.defaults().withPort(0).withBatching(batching);
        try (RestServer server = RestServer.start(model, config, null)) {
          String url = server.url() + "/v1/models/" + RestServer.Config.NAME + ":predict";
          for (int clients : CLIENTS) {
            Load load = load(url, body(1), clients);
            rows.add(
                new BenchResult.LoadRow(
                    clients,
                    batching,
                    Math.round(load.requestsPerSecond()),
                    Benchmark.round(load.percentileMs(50), 2),
                    Benchmark.round(load.percentileMs(99), 2)));
            out.printf(
                "serve, 1 image a request, %2d clients, batching %-3s: %,8.0f requests/s,"
                    + " p50 %6.2f ms, p99 %6.2f ms%n",
                clients,
                batching ? "on" : "off",
                load.requestsPerSecond(),
                load.percentileMs(50),
                load.percentileMs(99));
            out.flush();
          }
          if (batching) {
            served = Math.round(load(url, body(BATCH), BATCH_CLIENTS).requestsPerSecond() * BATCH);
          } else {
            // TensorFlow Serving's answer to large JSON: the files themselves, as b64 strings.
            servedFiles =
                Math.round(load(url, filesBody(BATCH), BATCH_CLIENTS).requestsPerSecond() * BATCH);
          }
        }
      }
      long inProcess = Math.round(inProcessImagesPerSecond(model));
      out.printf(
          "serve, %d images a request, %d clients: %,8d images/s (in process: %,d images/s, %.0f%%)%n",
          BATCH, BATCH_CLIENTS, served, inProcess, 100.0 * served / inProcess);
      out.printf(
          "serve, %d PNG files a request as b64, %d clients: %,8d images/s (%.0f%% of in process)%n",
          BATCH, BATCH_CLIENTS, servedFiles, 100.0 * servedFiles / inProcess);
      long rss = ProcStatus.megabytes("VmRSS");
      out.printf("resident memory after the load (clients and server): %,d MB%n", rss);
      out.flush();
      return new BenchResult.ServeFigures(rows, served, servedFiles, inProcess, rss);
    } finally {
      dev.convnet.data.FileTrees.delete(dir);
    }
  }

  /** The responses of one load level: each request's latency over the window. */
  record Load(List<Long> latencyNanos, double windowSeconds) {
    double requestsPerSecond() {
      return latencyNanos.size() / windowSeconds;
    }

    double percentileMs(double p) {
      return StepWindow.percentile(latencyNanos.stream().mapToLong(Long::longValue).toArray(), p)
          / 1e6;
    }
  }

  /** {@code clients} clients sending {@code body} one request after the other. */
  private Load load(String url, String body, int clients) {
    ExecutorService io = Executors.newFixedThreadPool(clients);
    HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(io).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long warmupEnd = System.nanoTime() + (long) (Math.min(2, seconds / 3) * 1e9);
      long end = warmupEnd + (long) (seconds * 1e9);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            pool.submit(
                () -> {
                  List<Long> latencies = new ArrayList<>();
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                      return latencies;
                    }
                    HttpResponse<String> r =
                        http.send(request, HttpResponse.BodyHandlers.ofString());
                    long t1 = System.nanoTime();
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException(
                          "serve answered " + r.statusCode() + ": " + r.body());
                    }
                    if (t0 >= warmupEnd) {
                      latencies.add(t1 - t0);
                    }
                  }
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : futures) {
        all.addAll(f.get(Math.round(seconds * 4) + 60, TimeUnit.SECONDS));
      }
      return new Load(all, seconds);
    } catch (Exception e) {
      throw new IllegalStateException("the serve benchmark failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
      io.shutdownNow();
    }
  }

  private String body(int images) {
    StringBuilder sb = new StringBuilder("{\"instances\": [");
    for (int i = 0; i < images; i++) {
      float[] pixels = test.image(i % test.size());
      sb.append(i == 0 ? "[" : ",[");
      for (int j = 0; j < pixels.length; j++) {
        sb.append(j == 0 ? "" : ",").append(pixels[j]);
      }
      sb.append(']');
    }
    return sb.append("]}").toString();
  }

  /** {@code images} test images as 28x28 grey PNG files, b64, for {@code serving_images}. */
  private String filesBody(int images) {
    StringBuilder sb =
        new StringBuilder(
            "{\"signature_name\": \"" + ModelExport.IMAGES_SIGNATURE_KEY + "\", \"instances\": [");
    for (int i = 0; i < images; i++) {
      float[] pixels = test.image(i % test.size());
      BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      for (int p = 0; p < pixels.length; p++) {
        image.getRaster().setSample(p % 28, p / 28, 0, Math.round(pixels[p] * 255));
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      try {
        ImageIO.write(image, "png", png);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sb.append(i == 0 ? "" : ",")
          .append("{\"b64\": \"")
          .append(Base64.getEncoder().encodeToString(png.toByteArray()))
          .append("\"}");
    }
    return sb.append("]}").toString();
  }

  private double inProcessImagesPerSecond(SavedModelClassifier model) {
    model.evaluate(test); // warm-up
    long start = System.nanoTime();
    long images = 0;
    while (System.nanoTime() - start < seconds * 1e9) {
      images += model.evaluate(test).total();
    }
    return images / ((System.nanoTime() - start) / 1e9);
  }
}
