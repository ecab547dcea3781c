package dev.convnet.serve;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.common.Records;
import dev.convnet.data.ImageSet;
import dev.convnet.savedmodel.ModelExport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A SavedModel behind TensorFlow Serving's REST API ({@link ServingApi}), plus a route of this
 * project's own for image files ({@code POST /images:classify}) and a page at {@code /} to try the
 * model with a drawing or a photo. This class is the transport and its limits; {@link Routes} says
 * who answers which path, {@link ApiHandlers} answers the API, {@link ServePage} the page.
 *
 * <p>On Jetty 12, whose connections wait for bytes without holding a thread: a client that sends
 * its request slowly, or not at all, costs a connection until a limit of {@link ServerLimits}
 * closes it, while a bounded pool of workers runs the model for complete requests only.
 */
public final class RestServer implements AutoCloseable {
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
    public static final String NAME = ModelExport.MODEL_NAME;

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
      return Records.with(this, "host", value);
    }

    public Config withPort(int value) {
      return Records.with(this, "port", value);
    }

    public Config withName(String value) {
      return Records.with(this, "name", value);
    }

    public Config withBatching(boolean value) {
      return Records.with(this, "batching", value);
    }

    public Config withLimits(ServerLimits value) {
      return Records.with(this, "limits", value);
    }

    public Config withMaxBodyBytes(long value) {
      return withLimits(limits.withMaxBodyBytes(value));
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

  private final Config config;
  private final ServerLimits limits;
  private final Routes routes;
  private final Server server;
  private final ServerConnector connector;
  private final ThreadPoolExecutor workers;
  private final ModelVersions versions;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  private RestServer(ModelVersions versions, Config config, ImageSet examples) {
    this.config = config;
    this.limits = config.limits();
    this.versions = versions;
    this.routes = new Routes(versions, new ServePage(examples, versions));
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
      Exchange.send(
          response,
          callback,
          status,
          "application/json",
          Exchange.GSON
              .toJson(Exchange.error(message == null ? "HTTP " + status : message.toString()))
              .getBytes(StandardCharsets.UTF_8));
      return true;
    }
  }

  /**
   * Starts serving {@code versions} (which the server closes when it stops); {@code examples} (may
   * be null) are the test images the page offers to click.
   */
  public static RestServer start(ModelVersions versions, Config config, ImageSet examples) {
    RestServer s = new RestServer(versions, config, examples);
    try {
      s.server.start();
      return s;
    } catch (Exception e) {
      s.workers.shutdown();
      s.versions.close();
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
    versions.close();
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
      exchange.sendJson(503, Exchange.error("the server is stopping"));
      return true;
    }
    long declared = request.getLength();
    if (!exchange.method().equals("POST")) {
      // A GET's body (TensorFlow Serving's tests send one) means nothing, but is read and dropped
      // before the answer: left unread, it makes Jetty close the connection under the client.
      if (declared > limits.maxBodyBytes()) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        respond(exchange, null);
      } else {
        discardBody(request, () -> respond(exchange, null));
      }
      return true;
    }
    if (declared > limits.maxBodyBytes()) {
      // Closing with the body unread makes the client's kernel reset the connection, and the
      // client may lose the answer with it: a body up to twice the limit is read and dropped first.
      Runnable refuse = () -> exchange.sendJson(413, Exchange.error(tooLarge().getMessage()));
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
    if (body instanceof ServingApi.ApiException e) {
      if (e.status() == 408) {
        exchange.response().getHeaders().put(HttpHeader.CONNECTION, "close"); // it stalled
      }
      exchange.sendJson(e.status(), Exchange.error(e.getMessage()));
      return;
    }
    byte[] bytes = (byte[]) body;
    if (bytes != null && bytes.length > limits.maxBodyBytes()) {
      exchange.sendJson(413, Exchange.error(tooLarge().getMessage()));
      return;
    }
    if (bytes != null
        && "gzip"
            .equalsIgnoreCase(exchange.request().getHeaders().get(HttpHeader.CONTENT_ENCODING))) {
      try {
        bytes = ServingApi.gunzip(bytes, limits.maxBodyBytes()); // as TensorFlow Serving takes them
      } catch (ServingApi.ApiException e) {
        exchange.sendJson(e.status(), Exchange.error(e.getMessage()));
        return;
      }
    }
    routes.answer(exchange, bytes);
  }

  private ServingApi.ApiException tooLarge() {
    return new ServingApi.ApiException(
        413, "request body larger than " + limits.maxBodyBytes() + " bytes");
  }
}
