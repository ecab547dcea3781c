package dev.convnet.cli;

import dev.convnet.api.Precisions;
import dev.convnet.api.Serving;
import dev.convnet.serve.RestServer;
import dev.convnet.serve.ServerLimits;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convnet serve}: a SavedModel behind TensorFlow Serving's REST API, and a page. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve a SavedModel over HTTP as TensorFlow Serving's REST API does"
          + " (POST /v1/models/NAME:predict, GET /v1/models/NAME and .../metadata), with"
          + " POST /images:classify for image files and a page at / to draw or drop an image.",
      "Ctrl-C or SIGTERM stops accepting, finishes the requests in flight and exits."
    })
final class ServeCommand implements java.util.concurrent.Callable<Integer> {
  /** How long the requests in flight may take to finish after Ctrl-C. */
  private static final int GRACE_SECONDS = 10;

  @Spec CommandSpec spec;

  @Mixin CommonOptions.Model model = new CommonOptions.Model();

  private static final String PORT = "--port";
  private static final String BATCHING = "--batching";

  @Option(
      names = PORT,
      paramLabel = "N",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port = RestServer.Config.PORT;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description =
          "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for every"
              + " network).")
  String host = RestServer.Config.HOST;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The model's name in the paths (default: ${DEFAULT-VALUE}).")
  String name = RestServer.Config.NAME;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "BYTES",
      description = "Largest request body accepted (default: ${DEFAULT-VALUE}, 8 MB).")
  long maxBodyBytes = ServerLimits.MAX_BODY_BYTES;

  @Option(
      names = "--max-header-bytes",
      paramLabel = "BYTES",
      description = "Largest request line and headers accepted (default: ${DEFAULT-VALUE}).")
  int maxHeaderBytes = ServerLimits.MAX_HEADER_BYTES;

  @Option(
      names = "--header-timeout",
      paramLabel = "SECONDS",
      description =
          "A new connection's first request line and headers must arrive within this (default:"
              + " ${DEFAULT-VALUE}).")
  long headerTimeout = ServerLimits.HEADER_TIMEOUT.toSeconds();

  @Option(
      names = "--body-timeout",
      paramLabel = "SECONDS",
      description =
          "A request's body must arrive within this once its headers have (default:"
              + " ${DEFAULT-VALUE}).")
  long bodyTimeout = ServerLimits.BODY_TIMEOUT.toSeconds();

  @Option(
      names = "--idle-timeout",
      paramLabel = "SECONDS",
      description =
          "Close a connection on which no bytes move for this long: an idle kept-alive one, or a"
              + " stalled request (default: ${DEFAULT-VALUE}).")
  long idleTimeout = ServerLimits.IDLE_TIMEOUT.toSeconds();

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description =
          "Connections open at once; more wait to be accepted (default: ${DEFAULT-VALUE}).")
  int maxConnections = ServerLimits.MAX_CONNECTIONS;

  @Option(
      names = BATCHING,
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Let concurrent requests share runs of the model, as TensorFlow Serving's batching does"
              + " (default: on): more requests a second and shorter waits under load, but an"
              + " answer's probabilities may differ in their last digits with what else was asked"
              + " at the same moment. --no-batching is the exact mode: each request runs alone and"
              + " gets the same answer every time.")
  boolean batching;

  @Option(
      names = "--poll-seconds",
      paramLabel = "S",
      description =
          "With a base path of numbered versions as --model: look for a newer version every S"
              + " seconds and serve it once loaded and warmed up (0: only at start; default:"
              + " ${DEFAULT-VALUE}).")
  int pollSeconds = 1;

  @Mixin CommonOptions.PrecisionChoice precision = new CommonOptions.PrecisionChoice();
  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.OwnDataOption ownData = new CommonOptions.OwnDataOption();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  /**
   * The arguments of {@code serve} for {@code bench --serve}: {@code savedModel} on a free port,
   * batching or in the exact mode, the page's examples from {@code dataDir} (null: the usual
   * search).
   */
  static List<String> arguments(Path savedModel, boolean batching, Path dataDir) {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                CommonOptions.Model.FLAG,
                savedModel.toString(),
                PORT,
                "0",
                batching ? BATCHING : "--no-" + BATCHING.substring(2)));
    if (dataDir != null) {
      arguments.addAll(List.of(CommonOptions.DataDir.FLAG, dataDir.toString()));
    }
    return arguments;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    RestServer.Config config =
        RestServer.Config.defaults()
            .withHost(host)
            .withPort(port)
            .withName(name)
            .withBatching(batching)
            .withLimits(
                ServerLimits.DEFAULTS
                    .withMaxBodyBytes(maxBodyBytes)
                    .withMaxHeaderBytes(maxHeaderBytes)
                    .withHeaderTimeout(Duration.ofSeconds(headerTimeout))
                    .withBodyTimeout(Duration.ofSeconds(bodyTimeout))
                    .withIdleTimeout(Duration.ofSeconds(idleTimeout))
                    .withMaxConnections(maxConnections));
    CountDownLatch stop = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(0);
    Interrupts.onSignal(
        code -> {
          exitCode.set(code);
          stop.countDown();
        });
    Precisions.resolve(precision.precision, Precisions.Job.SERVING, spec.commandLine().getErr());
    RestServer server =
        Serving.start(
            model.model,
            model.where.device,
            config,
            Duration.ofSeconds(pollSeconds),
            ownData.chosen(dataOptions),
            line -> {
              out.println(line);
              out.flush();
            });
    out.println("Serving " + model.model + " as '" + name + "' at " + server.url() + "/");
    out.println(
        "  TensorFlow Serving's REST API: POST "
            + server.url()
            + "/v1/models/"
            + name
            + ":predict; the page: "
            + server.url()
            + "/ ; Ctrl-C stops");
    out.flush();
    stop.await();
    out.println("Stopping: finishing the requests in flight ...");
    out.flush();
    server.stop(GRACE_SECONDS);
    out.println("Stopped.");
    out.flush();
    return exitCode.get();
  }
}
