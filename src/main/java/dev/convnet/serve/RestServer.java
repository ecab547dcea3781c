package dev.convnet.serve;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SavedModel behind TensorFlow Serving's REST API ({@link ServingApi}), plus a route of this
 * project's own for image files ({@code POST /images:classify}) and a page at {@code /} to try the
 * model with a drawing or a photo. The JDK's HTTP server, with a bounded pool of workers, a bounded
 * request body and read and write time limits.
 */
public final class RestServer implements AutoCloseable {
  static {
    // The JDK server reads these once: a client that sends or reads too slowly is cut off
    // instead of holding a worker. Set before the first server starts; a -D flag wins.
    System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "30");
    System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "30");
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  /** The page and its one script: the only files served; nothing else is looked up on disk. */
  private static final Map<String, String[]> PAGE =
      Map.of(
          "/", new String[] {"page/index.html", "text/html; charset=utf-8"},
          "/index.html", new String[] {"page/index.html", "text/html; charset=utf-8"},
          "/page.js", new String[] {"page/page.js", "text/javascript; charset=utf-8"});

  private static final Pattern MODEL_PATH =
      Pattern.compile("/v1/models/([^/:]+)(?:/versions/([^/:]+))?(/metadata|:predict|:[^/]*)?");

  private static final Gson GSON = new Gson();

  /**
   * How to serve.
   *
   * @param host the address to listen on (127.0.0.1: this machine only)
   * @param port the port; 0 picks a free one
   * @param name the model's name in the paths
   * @param maxBodyBytes the largest request body accepted
   * @param batching whether concurrent small requests share one run of the model
   */
  public record Config(String host, int port, String name, long maxBodyBytes, boolean batching) {
    public static final int PORT = 8501;
    public static final String HOST = "127.0.0.1";
    public static final String NAME = "fashion";
    public static final long MAX_BODY_BYTES = 8L << 20;

    public Config {
      if (port < 0 || port > 65_535) {
        throw new InvalidSettingException("port", "{port} must be 0 to 65535, got " + port);
      }
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw new InvalidSettingException(
            "name", "{name} may hold letters, digits, '.', '_' and '-', got '" + name + "'");
      }
      if (maxBodyBytes < 1_024) {
        throw new InvalidSettingException(
            "maxBodyBytes", "{maxBodyBytes} must be at least 1024, got " + maxBodyBytes);
      }
    }

    /**
     * The defaults: this machine only, port 8501, model "fashion", 8 MB, no batching (a batch's
     * kernels round differently from a single image's, so batching makes an answer depend in its
     * last digits on what else was asked at the same moment).
     */
    public static Config defaults() {
      return new Config(HOST, PORT, NAME, MAX_BODY_BYTES, false);
    }

    public Config withHost(String value) {
      return new Config(value, port, name, maxBodyBytes, batching);
    }

    public Config withPort(int value) {
      return new Config(host, value, name, maxBodyBytes, batching);
    }

    public Config withName(String value) {
      return new Config(host, port, value, maxBodyBytes, batching);
    }

    public Config withMaxBodyBytes(long value) {
      return new Config(host, port, name, value, batching);
    }

    public Config withBatching(boolean value) {
      return new Config(host, port, name, maxBodyBytes, value);
    }
  }

  /** Workers answering requests: two a core, so parsing overlaps the model's runs. */
  private static int workers() {
    return 2 * Runtime.getRuntime().availableProcessors();
  }

  private final SavedModelClassifier model;
  private final Config config;
  private final String examples;
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final Batcher batcher;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  private RestServer(SavedModelClassifier model, Config config, ImageSet examples)
      throws IOException {
    this.model = model;
    this.config = config;
    this.examples = examplesJson(examples);
    this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
    // A bounded queue; when it is full the accepting thread answers itself, which slows
    // accepting instead of dropping connections or queueing without end.
    this.batcher = config.batching() ? new Batcher(model) : null;
    this.workers =
        new ThreadPoolExecutor(
            workers(),
            workers(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(workers);
    server.createContext("/", this::handle);
  }

  /**
   * Starts serving {@code model}; {@code examples} (may be null) are the test images the page
   * offers to click.
   */
  public static RestServer start(SavedModelClassifier model, Config config, ImageSet examples) {
    try {
      RestServer s = new RestServer(model, config, examples);
      s.server.start();
      return s;
    } catch (IOException e) {
      throw new InvalidSettingException(
          "port",
          "cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + " ("
              + e.getMessage()
              + "); choose another {port}");
    }
  }

  /** Where it listens (the port chosen when 0 was asked). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The base URL, such as {@code http://127.0.0.1:8501}. */
  public String url() {
    return "http://" + config.host() + ":" + address().getPort();
  }

  /**
   * Stops accepting, lets the requests in flight finish (for up to {@code graceSeconds}), then
   * stops.
   */
  public void stop(int graceSeconds) {
    // Java 17's HttpServer.stop(delay) waits out the whole delay even when idle, so the server
    // drains itself: new requests are refused with 503, those in flight finish, then it stops.
    stopping = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.stop(0);
    workers.shutdown();
    if (batcher != null) {
      batcher.close();
    }
    try {
      workers.awaitTermination(graceSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    inFlight.incrementAndGet();
    try (exchange) {
      if (stopping) {
        exchange.getResponseHeaders().set("Connection", "close");
        sendJson(exchange, 503, error("the server is stopping"));
        return;
      }
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        if (PAGE.containsKey(path)) {
          requireMethod(method, "GET");
          String[] file = PAGE.get(path);
          send(exchange, 200, file[1], resource(file[0]));
        } else if (path.equals("/examples.json")) {
          requireMethod(method, "GET");
          send(exchange, 200, "application/json", examples.getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/images:classify")) {
          requireMethod(method, "POST");
          sendJson(exchange, 200, classifyImage(exchange));
        } else if (path.startsWith("/v1/models/")) {
          model(exchange, path, method);
        } else {
          throw new ServingApi.ApiException(404, "no such path: " + path);
        }
      } catch (ServingApi.ApiException e) {
        sendJson(exchange, e.status(), error(e.getMessage()));
      } catch (RuntimeException e) {
        sendJson(exchange, 500, error("internal error: " + e.getMessage()));
      }
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void model(HttpExchange exchange, String path, String method) throws IOException {
    Matcher m = MODEL_PATH.matcher(path);
    if (!m.matches()) {
      throw new ServingApi.ApiException(404, "no such path: " + path);
    }
    if (!m.group(1).equals(config.name())) {
      throw new ServingApi.ApiException(
          404, "Servable not found for request: Latest(" + m.group(1) + ")");
    }
    if (m.group(2) != null && !m.group(2).equals(ServingApi.VERSION)) {
      throw new ServingApi.ApiException(
          404, "Servable not found for request: Specific(" + m.group(1) + ", " + m.group(2) + ")");
    }
    String action = m.group(3) == null ? "" : m.group(3);
    switch (action) {
      case "" -> {
        requireMethod(method, "GET");
        sendJson(exchange, 200, ServingApi.status());
      }
      case "/metadata" -> {
        requireMethod(method, "GET");
        sendJson(exchange, 200, ServingApi.metadata(config.name(), model.signature()));
      }
      case ":predict" -> {
        requireMethod(method, "POST");
        String body = new String(readBody(exchange), StandardCharsets.UTF_8);
        ServingApi.PredictRequest request = ServingApi.parsePredict(body);
        SavedModelClassifier.Outputs outputs =
            batcher != null
                ? batcher.predict(request.images(), request.n())
                : model.predict(request.images(), request.n());
        sendJson(exchange, 200, ServingApi.answer(request, outputs));
      }
      default ->
          throw new ServingApi.ApiException(
              404, "unknown verb " + action.substring(1) + " (this server answers :predict)");
    }
  }

  /** An image file's bytes in, what {@code predict --json} prints for it out. */
  private JsonElement classifyImage(HttpExchange exchange) throws IOException {
    byte[] bytes = readBody(exchange);
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    String name = query.getOrDefault("name", "upload");
    ImageInput.Prepared image;
    try {
      image = ImageInput.read(bytes, name);
    } catch (IllegalArgumentException e) {
      throw ServingApi.bad(e.getMessage());
    }
    float[] p = model.probabilities(image.pixels(), 1);
    JsonObject answer = GSON.toJsonTree(Prediction.of(name, p, image.inverted())).getAsJsonObject();
    if (query.containsKey("pixels")) {
      // For the page: the 28x28 picture the network sees and every class's probability.
      answer.add("pixels", GSON.toJsonTree(image.pixels()));
      answer.add("probabilities", GSON.toJsonTree(p));
    }
    return answer;
  }

  private byte[] readBody(HttpExchange exchange) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > config.maxBodyBytes()) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw ServingApi.bad("Content-Length is not a number");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes() + 1));
      if (body.length > config.maxBodyBytes()) {
        throw tooLarge();
      }
      return body;
    }
  }

  private ServingApi.ApiException tooLarge() {
    return new ServingApi.ApiException(
        413, "request body larger than " + config.maxBodyBytes() + " bytes");
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ServingApi.ApiException(405, method + " is not allowed here; use " + allowed);
    }
  }

  private static JsonObject error(String message) {
    JsonObject error = new JsonObject();
    error.addProperty("error", message);
    return error;
  }

  private static void sendJson(HttpExchange exchange, int status, JsonElement body)
      throws IOException {
    send(exchange, status, "application/json", GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    if (status == 405) {
      exchange.getResponseHeaders().set("Allow", "GET, POST");
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = RestServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return in.readAllBytes();
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new java.util.HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        q.put(
            URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  /** One test image of each class, as pixel values 0-255 with its label: the page's examples. */
  private static String examplesJson(ImageSet test) {
    JsonArray list = new JsonArray();
    if (test != null) {
      boolean[] seen = new boolean[FashionMnist.LABELS.size()];
      for (int i = 0; i < test.size() && list.size() < seen.length; i++) {
        int label = test.label(i);
        if (!seen[label]) {
          seen[label] = true;
          float[] pixels = test.image(i);
          JsonArray values = new JsonArray();
          for (float v : pixels) {
            values.add(Math.round(v * 255));
          }
          JsonObject example = new JsonObject();
          example.addProperty("index", i);
          example.addProperty("label", FashionMnist.LABELS.get(label));
          example.add("pixels", values);
          list.add(example);
        }
      }
    }
    return GSON.toJson(list);
  }
}
