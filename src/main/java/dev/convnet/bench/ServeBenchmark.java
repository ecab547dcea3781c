package dev.convnet.bench;

import dev.convnet.data.ImageSet;
import dev.convnet.model.ConvNet;
import dev.convnet.model.ModelConfig;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.serve.RestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * {@code bench --serve}: the notebook's network as a SavedModel behind {@code serve}, run as its
 * own process through the launcher (its heap, collector and thread settings), loaded by clients in
 * this process on the same machine: single-image requests at several concurrencies (requests/s, p50
 * and p99 latency), and images/s at 64 images a request, as JSON pixels and as b64 PNG files,
 * against the same model evaluating in process; first with the defaults (batching on), then in the
 * exact mode ({@code --no-batching}). Client and server share the machine's cores, as they would on
 * one host.
 */
public final class ServeBenchmark {
  /** Concurrent clients of the single-image rows. */
  public static final List<Integer> CLIENTS = List.of(1, 8, 32);

  /** Images in each request of the batch rows, and their clients. */
  public static final int BATCH = 64;

  private static final int BATCH_CLIENTS = 8;

  /** Load on a fresh server before anything is measured, for each kind of request. */
  private static final double WARMUP_SECONDS = 5;

  /** The benchmark's HTTP clients. */
  public enum Client {
    /** A kept-alive blocking socket each ({@link KeepAliveClient}), as a load tool's. */
    SOCKET,
    /** The JDK's java.net.http client. */
    JDK,
    /** wrk, the HTTP load tool, as its own process ({@link WrkLoad}): nothing of ours sends. */
    WRK
  }

  private final double seconds;
  private final Client client;
  private final ImageSet test;
  private final ServeArguments serveArguments;
  private final PrintWriter out;

  /** {@code serve}'s arguments for a SavedModel, batching or not: the command line owns them. */
  @FunctionalInterface
  public interface ServeArguments {
    List<String> of(Path savedModel, boolean batching);
  }

  public ServeBenchmark(
      double seconds,
      Client client,
      ImageSet test,
      ServeArguments serveArguments,
      PrintWriter out) {
    this.seconds = seconds;
    this.client = client;
    this.test = test;
    this.serveArguments = serveArguments;
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
    // The same model evaluating in process, as evaluate runs it, measured right after each
    // batch row: these machines' speed drifts between minutes, so a ratio compares neighbours.
    try (SavedModelClassifier inProcess = SavedModelClassifier.load(savedModel)) {
      inProcess.evaluate(test); // warm-up
      List<BenchResult.LoadRow> rows = new ArrayList<>();
      List<BenchResult.BatchRow> batches = new ArrayList<>();
      long rss = -1;
      long peakRss = -1;
      for (boolean batching : new boolean[] {true, false}) {
        try (ServeProcess server = ServeProcess.start(serveArguments.of(savedModel, batching))) {
          String url = server.url() + "/v1/models/" + RestServer.Config.NAME + ":predict";
          // A fresh JVM compiles its hot code during the first seconds of load: not measured.
          for (String body : List.of(body(1), body(BATCH), filesBody(BATCH))) {
            load(url, body, BATCH_CLIENTS, Math.max(WARMUP_SECONDS, seconds), 0);
          }
          for (int clients : CLIENTS) {
            Load load = load(url, body(1), clients);
            rows.add(
                new BenchResult.LoadRow(
                    clients,
                    batching,
                    Math.round(load.requestsPerSecond()),
                    Benchmark.round(load.p50Ms(), 2),
                    Benchmark.round(load.p99Ms(), 2)));
            out.printf(
                "serve, 1 image a request, %2d clients, batching %-3s: %,8.0f requests/s,"
                    + " p50 %6.2f ms, p99 %6.2f ms%n",
                clients,
                batching ? "on" : "off",
                load.requestsPerSecond(),
                load.p50Ms(),
                load.p99Ms());
            out.flush();
          }
          for (String format : new String[] {"json", "b64"}) {
            // TensorFlow Serving's answer to large JSON: the files themselves, as b64 strings.
            String body = format.equals("json") ? body(BATCH) : filesBody(BATCH);
            long images = Math.round(load(url, body, BATCH_CLIENTS).requestsPerSecond() * BATCH);
            long evaluated = Math.round(inProcessImagesPerSecond(inProcess));
            batches.add(new BenchResult.BatchRow(format, batching, images, evaluated));
            out.printf(
                "serve, %d images a request as %s, %d clients, batching %-3s: %,8d images/s,"
                    + " %.0f%% of the %,d images/s evaluated in process right after%n",
                BATCH,
                format.equals("json") ? "JSON pixels" : "b64 PNG files",
                BATCH_CLIENTS,
                batching ? "on" : "off",
                images,
                100.0 * images / evaluated,
                evaluated);
            out.flush();
          }
          if (batching) {
            rss = server.megabytes("VmRSS");
            peakRss = server.megabytes("VmHWM");
            out.printf(
                "serve's resident memory after the load: %,d MB (peak %,d MB)%n", rss, peakRss);
          }
        }
      }
      stages(inProcess);
      out.flush();
      return new BenchResult.ServeFigures(rows, batches, rss, peakRss);
    } finally {
      dev.convnet.data.FileTrees.delete(dir);
    }
  }

  /**
   * Where a request of 64 b64 PNG files spends its time, per image, each stage of serve's own code
   * timed alone on one thread in this process: the JSON body read with its base64 decoded, each
   * file prepared as predict prepares it, the model's run, the answer written as JSON. What the
   * served figure leaves beyond their sum is HTTP (Jetty, the clients) and waiting for a core.
   */
  private void stages(SavedModelClassifier model) {
    String body = filesBody(BATCH);
    int repeats = 0;
    long parse = 0;
    long prepare = 0;
    long run = 0;
    long answer = 0;
    com.google.gson.Gson gson =
        new com.google.gson.GsonBuilder().serializeSpecialFloatingPointValues().create();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    for (int warm = 0; System.nanoTime() < end || warm < 2; warm++) {
      long t0 = System.nanoTime();
      dev.convnet.serve.ServingApi.PredictRequest request =
          dev.convnet.serve.ServingApi.parsePredict(body);
      long t1 = System.nanoTime();
      float[] pixels = request.instances().pixels("instance");
      long t2 = System.nanoTime();
      SavedModelClassifier.Outputs outputs = model.predict(pixels, BATCH);
      long t3 = System.nanoTime();
      String written =
          gson.toJson(dev.convnet.serve.ServingApi.answer(request, outputs, model.classNames()));
      long t4 = System.nanoTime();
      if (warm >= 2 && !written.isEmpty()) { // the first two compile the code
        parse += t1 - t0;
        prepare += t2 - t1;
        run += t3 - t2;
        answer += t4 - t3;
        repeats++;
      }
    }
    double perImage = 1e3 * repeats * BATCH;
    out.printf(
        "serve's stages for %d b64 PNG files, one thread, per image: JSON and base64 %.1f µs,"
            + " PNG decoding and preparation %.1f µs, the model %.1f µs, the answer's JSON %.1f µs%n",
        BATCH, parse / perImage, prepare / perImage, run / perImage, answer / perImage);
  }

  /** One load level's answered requests a second and latency percentiles, over its window. */
  record Load(double requestsPerSecond, double p50Ms, double p99Ms) {
    static Load of(List<Long> latencyNanos, double windowSeconds) {
      long[] latencies = latencyNanos.stream().mapToLong(Long::longValue).toArray();
      return new Load(
          latencies.length / windowSeconds,
          StepWindow.percentile(latencies, 50) / 1e6,
          StepWindow.percentile(latencies, 99) / 1e6);
    }
  }

  /** {@code clients} clients sending {@code body} one request after the other. */
  private Load load(String url, String body, int clients) {
    return load(url, body, clients, Math.min(2, seconds / 3), seconds);
  }

  /** The same, unmeasured for {@code warmup} seconds, then measured for {@code window}. */
  private Load load(String url, String body, int clients, double warmup, double window) {
    if (client == Client.WRK) {
      return WrkLoad.run(url, body, clients, warmup, window);
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    Sender sender = client == Client.JDK ? new JdkSender(url, body, clients) : null;
    try {
      long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
      long end = warmupEnd + (long) (window * 1e9);
      List<Future<List<Long>>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            pool.submit(
                () -> {
                  List<Long> latencies = new ArrayList<>();
                  try (KeepAliveClient socket =
                      sender != null
                          ? null
                          : new KeepAliveClient(
                              URI.create(url), body.getBytes(StandardCharsets.UTF_8))) {
                    Sender send = socket != null ? socket::send : sender;
                    while (true) {
                      long t0 = System.nanoTime();
                      if (t0 >= end) {
                        return latencies;
                      }
                      send.send();
                      long t1 = System.nanoTime();
                      if (t0 >= warmupEnd) {
                        latencies.add(t1 - t0);
                      }
                    }
                  }
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : futures) {
        all.addAll(f.get(Math.round((warmup + window) * 4) + 60, TimeUnit.SECONDS));
      }
      return Load.of(all, window);
    } catch (Exception e) {
      throw new IllegalStateException("the serve benchmark failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
      if (sender instanceof JdkSender jdk) {
        jdk.close();
      }
    }
  }

  /** One request, sent and answered. */
  private interface Sender {
    void send() throws Exception;
  }

  /** The JDK's java.net.http client, shared by the clients (its own connection pool). */
  private static final class JdkSender implements Sender, AutoCloseable {
    private final ExecutorService io;
    private final HttpClient http;
    private final HttpRequest request;

    JdkSender(String url, String body, int clients) {
      io = Executors.newFixedThreadPool(clients);
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(io).build();
      request =
          HttpRequest.newBuilder(URI.create(url))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
    }

    @Override
    public void send() throws Exception {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("serve answered " + r.statusCode() + ": " + r.body());
      }
    }

    @Override
    public void close() {
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

  /**
   * Images/s of {@code model} on its own, at the batch the requests send (64): one thread a core
   * calling one session with TensorFlow's default thread pools, its best setting measured (a single
   * thread at batch 256, as evaluate runs, gave less).
   */
  private double inProcessImagesPerSecond(SavedModelClassifier model) {
    int batch = 64;
    float[] images = test.images(ImageSet.range(0, batch));
    int threads = Runtime.getRuntime().availableProcessors();
    java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    List<Thread> callers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread caller =
          new Thread(
              () -> {
                while (System.nanoTime() < end) {
                  model.predict(images, batch);
                  done.addAndGet(batch);
                }
              });
      caller.start();
      callers.add(caller);
    }
    for (Thread caller : callers) {
      try {
        caller.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return done.get() / ((System.nanoTime() - start) / 1e9);
  }
}
