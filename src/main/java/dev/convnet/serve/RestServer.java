package dev.convnet.serve;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.model.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A SavedModel behind TensorFlow Serving's REST API ({@link ServingApi}), plus a route of this
 * project's own for image files ({@code POST /images:classify}) and a page at {@code /} to try the
 * model with a drawing or a photo.
 *
 * <p>On Jetty 12, whose connections wait for bytes without holding a thread: a client that sends
 * its request slowly, or not at all, costs a connection until a limit of {@link ServerLimits}
 * closes it, while a bounded pool of workers runs the model for complete requests only.
 */
public final class RestServer implements AutoCloseable {
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
   * @param batching whether concurrent small requests share one run of the model
   * @param limits what one client may cost
   */
  public record Config(String host, int port, String name, boolean batching, ServerLimits limits) {
    public static final int PORT = 8501;
    public static final String HOST = "127.0.0.1";
    public static final String NAME = "fashion";

    public Config {
      if (port < 0 || port > 65_535) {
        throw new InvalidSettingException("port", "{port} must be 0 to 65535, got " + port);
      }
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw new InvalidSettingException(
            "name", "{name} may hold letters, digits, '.', '_' and '-', got '" + name + "'");
      }
    }

    /**
     * The defaults: this machine only, port 8501, model "fashion", batching on (the way to a p99
     * under 10 ms at 8 clients on 2 cores, docs/performance.md#serving; a batch's kernels round
     * differently from a single image's, so an answer's probabilities may then differ in their last
     * digits with what else was asked at the same moment), {@link ServerLimits#DEFAULTS}.
     */
    public static Config defaults() {
      return new Config(HOST, PORT, NAME, true, ServerLimits.DEFAULTS);
    }

    public Config withHost(String value) {
      return new Config(value, port, name, batching, limits);
    }

    public Config withPort(int value) {
      return new Config(host, value, name, batching, limits);
    }

    public Config withName(String value) {
      return new Config(host, port, value, batching, limits);
    }

    public Config withBatching(boolean value) {
      return new Config(host, port, name, value, limits);
    }

    public Config withLimits(ServerLimits value) {
      return new Config(host, port, name, batching, value);
    }

    public Config withMaxBodyBytes(long value) {
      return withLimits(limits.with(l -> l.maxBodyBytes = value));
    }
  }

  /**
   * Workers answering complete requests: two a core run the model themselves, so parsing overlaps
   * the model's runs; with batching they mostly wait for a shared run, and eight a core let that
   * many requests join one.
   */
  private static int workers(boolean batching) {
    return (batching ? 8 : 2) * Runtime.getRuntime().availableProcessors();
  }

  private final SavedModelClassifier model;
  private final Config config;
  private final ServerLimits limits;
  private final String examples;
  private final Server server;
  private final ServerConnector connector;
  private final ThreadPoolExecutor workers;
  private final ModelRuns runs;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  private RestServer(SavedModelClassifier model, Config config, ImageSet examples) {
    this.model = model;
    this.config = config;
    this.limits = config.limits();
    this.examples = examplesJson(examples);
    this.runs = config.batching() ? new Batcher(model) : ModelRuns.exact(model);
    // A bounded queue; when it is full the thread that read the request runs it, which slows
    // reading new requests instead of dropping them or queueing without end.
    this.workers =
        new ThreadPoolExecutor(
            workers(config.batching()),
            workers(config.batching()),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256),
            new ThreadPoolExecutor.CallerRunsPolicy());
    QueuedThreadPool jetty = new QueuedThreadPool(Math.max(8, 2 * workers(false)), 2);
    jetty.setName("serve");
    server = new Server(jetty);
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(limits.maxHeaderBytes());
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setAcceptQueueSize(128);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.addBean(new HeaderDeadline());
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    server.setErrorHandler(new JsonErrors());
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            return RestServer.this.handle(request, response, callback);
          }
        });
  }

  /**
   * Closes a new connection whose first request line and headers have not arrived within the header
   * time limit (a later request's headers are bounded by the idle limit).
   */
  private final class HeaderDeadline implements Connection.Listener {
    @Override
    public void onOpened(Connection connection) {
      server
          .getScheduler()
          .schedule(
              () -> {
                if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
                  connection.getEndPoint().close();
                }
              },
              limits.headerTimeout().toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /** Jetty's own refusals (a malformed request, headers too large) as {@code {"error"}} too. */
  private static final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object message = request.getAttribute(ErrorHandler.ERROR_MESSAGE);
      int status = response.getStatus();
      send(
          response,
          callback,
          status,
          "application/json",
          GSON.toJson(error(message == null ? "HTTP " + status : message.toString()))
              .getBytes(StandardCharsets.UTF_8));
      return true;
    }
  }

  /**
   * Starts serving {@code model}; {@code examples} (may be null) are the test images the page
   * offers to click.
   */
  public static RestServer start(SavedModelClassifier model, Config config, ImageSet examples) {
    RestServer s = new RestServer(model, config, examples);
    try {
      s.server.start();
      return s;
    } catch (Exception e) {
      s.workers.shutdown();
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
    return new InetSocketAddress(config.host(), connector.getLocalPort());
  }

  /** The base URL, such as {@code http://127.0.0.1:8501}. */
  public String url() {
    return "http://" + config.host() + ":" + connector.getLocalPort();
  }

  /**
   * Stops accepting, lets the requests in flight finish (for up to {@code graceSeconds}), then
   * stops.
   */
  public void stop(int graceSeconds) {
    // New requests are refused with 503 while those in flight finish; then the server stops.
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
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping anyway: nothing more can be answered.
    }
    workers.shutdown();
    runs.close();
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

  /** One request: its parts as the routes read them, and where its answer goes. */
  private record Exchange(
      Request request, Response response, Callback callback, String path, String method) {}

  private boolean handle(Request request, Response response, Callback callback) {
    inFlight.incrementAndGet();
    // Counted until the answer is written or fails: the stop waits for what is in flight.
    Callback done =
        Callback.from(
            () -> {
              inFlight.decrementAndGet();
              callback.succeeded();
            },
            failure -> {
              inFlight.decrementAndGet();
              callback.failed(failure);
            });
    Exchange exchange =
        new Exchange(request, response, done, request.getHttpURI().getPath(), request.getMethod());
    if (stopping) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
      sendJson(exchange, 503, error("the server is stopping"));
      return true;
    }
    if (!exchange.method().equals("POST")) {
      respond(exchange, null); // GETs are small and answered at once
      return true;
    }
    long declared = request.getLength();
    if (declared > limits.maxBodyBytes()) {
      // Closing with the body unread makes the client's kernel reset the connection, and the
      // client may lose the answer with it: a body up to twice the limit is read and dropped first.
      Runnable refuse = () -> sendJson(exchange, 413, error(tooLarge().getMessage()));
      if (declared <= 2 * limits.maxBodyBytes()) {
        discardBody(request, refuse);
      } else {
        refuse.run();
      }
      return true;
    }
    // The body arrives without holding a thread; its time limit closes a body that stalls.
    CompletableFuture<byte[]> body =
        Content.Source.asByteArrayAsync(
            request, (int) Math.min(Integer.MAX_VALUE - 8, limits.maxBodyBytes() + 1));
    Scheduler.Task deadline =
        server
            .getScheduler()
            .schedule(
                () -> body.completeExceptionally(new TimeoutException()),
                limits.bodyTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    body.whenComplete(
        (bytes, failure) -> {
          deadline.cancel();
          workers.execute(() -> respond(exchange, failure == null ? bytes : failed(failure)));
        });
    return true;
  }

  /**
   * Reads {@code request}'s body to its end (or its failure) without keeping it, then runs {@code
   * then}.
   */
  private static void discardBody(Request request, Runnable then) {
    Runnable reader =
        new Runnable() {
          @Override
          public void run() {
            for (Content.Chunk chunk = request.read(); ; chunk = request.read()) {
              if (chunk == null) {
                request.demand(this);
                return;
              }
              boolean done = chunk.isLast() || Content.Chunk.isFailure(chunk);
              chunk.release();
              if (done) {
                then.run();
                return;
              }
            }
          }
        };
    reader.run();
  }

  /** A body that could not be read, as what to answer: too large, too slow, or cut off. */
  private ServingApi.ApiException failed(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof TimeoutException) {
      return new ServingApi.ApiException(
          408, "the request body did not arrive within " + limits.bodyTimeout().toSeconds() + " s");
    }
    if (cause instanceof IllegalStateException) {
      return tooLarge(); // Jetty's reader refuses a body beyond its maximum ("Max size exceeded")
    }
    return ServingApi.bad("cannot read the request body (" + cause.getMessage() + ")");
  }

  /** Answers {@code exchange}; {@code body} is a POST's body, or why it could not be read. */
  private void respond(Exchange exchange, Object body) {
    try {
      if (body instanceof ServingApi.ApiException e) {
        if (e.status() == 408) {
          exchange.response().getHeaders().put(HttpHeader.CONNECTION, "close"); // it stalled
        }
        throw e;
      }
      byte[] bytes = (byte[]) body;
      if (bytes != null && bytes.length > limits.maxBodyBytes()) {
        throw tooLarge();
      }
      String path = exchange.path();
      String method = exchange.method();
      if (PAGE.containsKey(path)) {
        requireMethod(method, "GET");
        String[] file = PAGE.get(path);
        send(exchange, 200, file[1], resource(file[0]));
      } else if (path.equals("/examples.json")) {
        requireMethod(method, "GET");
        send(exchange, 200, "application/json", examples.getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/images:classify")) {
        requireMethod(method, "POST");
        sendJson(exchange, 200, classifyImage(exchange, bytes));
      } else if (path.startsWith("/v1/models/")) {
        model(exchange, bytes);
      } else {
        throw new ServingApi.ApiException(404, "no such path: " + path);
      }
    } catch (ServingApi.ApiException e) {
      sendJson(exchange, e.status(), error(e.getMessage()));
    } catch (IOException | RuntimeException e) {
      sendJson(exchange, 500, error("internal error: " + e.getMessage()));
    }
  }

  private void model(Exchange exchange, byte[] bytes) {
    String path = exchange.path();
    String method = exchange.method();
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
        sendJson(exchange, 200, ServingApi.metadata(config.name(), model.signatures()));
      }
      case ":predict" -> {
        requireMethod(method, "POST");
        ServingApi.PredictRequest request =
            ServingApi.parsePredict(new String(bytes, StandardCharsets.UTF_8));
        SavedModelClassifier.Outputs outputs;
        if (request.files() != null) {
          outputs = predictFiles(request.files());
        } else {
          outputs = runs.predict(request.images(), request.n());
        }
        sendJson(exchange, 200, ServingApi.answer(request, outputs));
      }
      default ->
          throw new ServingApi.ApiException(
              404, "unknown verb " + action.substring(1) + " (this server answers :predict)");
    }
  }

  /**
   * Image files sent to {@code serving_images}. Every header is read first and its size checked, as
   * {@code predict} checks it; then each file is prepared by {@code predict}'s own code, so the
   * answers are {@code predict}'s (the SavedModel's graph prepares 28x28 grey files to the same
   * pixels, larger ones a little differently, docs/serving.md), at 13-17 µs a small PNG against 52
   * µs in the graph's loop (docs/performance.md#serving).
   */
  private SavedModelClassifier.Outputs predictFiles(List<byte[]> files) {
    if (!model.signatures().containsKey(ModelExport.IMAGES_SIGNATURE_KEY)) {
      throw ServingApi.bad(
          "Serving signature name: \""
              + ModelExport.IMAGES_SIGNATURE_KEY
              + "\" not found in"
              + " signature def (the model was exported before it had one)");
    }
    for (int i = 0; i < files.size(); i++) {
      String name = "instance " + i;
      ImageHeader header;
      try {
        header = ImageHeader.of(files.get(i), name);
      } catch (IllegalArgumentException e) {
        throw ServingApi.bad(e.getMessage());
      }
      if (header.pixels() > ImageInput.MAX_PIXELS) {
        throw ServingApi.bad(
            ImageInput.tooLarge(name, header.width(), header.height()).getMessage());
      }
    }
    int pixels = ModelConfig.IMG_SIZE_FLAT;
    float[] images = new float[files.size() * pixels];
    for (int i = 0; i < files.size(); i++) {
      try {
        float[] one = ImageInput.read(files.get(i), "instance " + i).pixels();
        System.arraycopy(one, 0, images, i * pixels, pixels);
      } catch (IllegalArgumentException e) {
        throw ServingApi.bad(e.getMessage());
      }
    }
    return runs.predict(images, files.size());
  }

  /** An image file's bytes in, what {@code predict --json} prints for it out. */
  private JsonElement classifyImage(Exchange exchange, byte[] bytes) {
    Fields query = Request.extractQueryParameters(exchange.request());
    String name = query.getValue("name") == null ? "upload" : query.getValue("name");
    ImageInput.Prepared image;
    try {
      image = ImageInput.read(bytes, name);
    } catch (IllegalArgumentException e) {
      throw ServingApi.bad(e.getMessage());
    }
    float[] p = model.probabilities(image.pixels(), 1);
    JsonObject answer = GSON.toJsonTree(Prediction.of(name, p, image.inverted())).getAsJsonObject();
    if (query.get("pixels") != null) {
      // For the page: the 28x28 picture the network sees and every class's probability.
      answer.add("pixels", GSON.toJsonTree(image.pixels()));
      answer.add("probabilities", GSON.toJsonTree(p));
    }
    return answer;
  }

  private ServingApi.ApiException tooLarge() {
    return new ServingApi.ApiException(
        413, "request body larger than " + limits.maxBodyBytes() + " bytes");
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

  private static void sendJson(Exchange exchange, int status, JsonElement body) {
    send(exchange, status, "application/json", GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(Exchange exchange, int status, String type, byte[] body) {
    send(exchange.response(), exchange.callback(), status, type, body);
  }

  private static void send(
      Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    if (status == 405) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = RestServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return in.readAllBytes();
    }
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
