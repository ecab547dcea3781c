package dev.convnet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Servers;
import dev.convnet.testing.TrainedModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send slowly or not at all cost a connection, not a thread: with hundreds of them
 * stalled a new client is answered at once, and each stalled connection is closed by its limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsTest {
  private static final Duration HEADER = Duration.ofSeconds(1);
  private static final Duration BODY = Duration.ofSeconds(2);
  private static final Duration IDLE = Duration.ofSeconds(3);

  @TempDir static Path dir;
  private SavedModelClassifier model;
  private RestServer server;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void serveAModel() {
    model = SavedModelClassifier.load(TrainedModel.get().savedModel);
    ServerLimits limits =
        ServerLimits.DEFAULTS.withHeaderTimeout(HEADER).withBodyTimeout(BODY).withIdleTimeout(IDLE);
    server =
        Servers.start(model, RestServer.Config.defaults().withPort(0).withLimits(limits), null);
  }

  @AfterAll
  void stop() {
    server.close();
    model.close();
  }

  private Socket open(String send) throws IOException {
    InetSocketAddress at = server.address();
    Socket socket = new Socket(at.getHostString(), at.getPort());
    socket.setSoTimeout(15_000);
    socket.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  @Test
  void hundredsOfStalledConnectionsLeaveANewClientAnsweredAndEachIsClosedByItsLimit()
      throws Exception {
    List<Socket> unfinishedHeaders = new ArrayList<>();
    List<Socket> unfinishedBodies = new ArrayList<>();
    List<Socket> idleKeepAlives = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        unfinishedHeaders.add(open("GET /v1/models/fashion HTTP/1.1\r\nHost: x\r\nX-Slow: "));
        unfinishedBodies.add(
            open(
                "POST /v1/models/fashion:predict HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inst"));
      }
      for (int i = 0; i < 50; i++) {
        Socket s = open("GET /v1/models/fashion HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(readResponseHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
        idleKeepAlives.add(s); // answered, and kept alive
      }

      long start = System.nanoTime();
      HttpResponse<String> fresh =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/fashion"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(200, fresh.statusCode());
      assertTrue(seconds < 1, "a fresh request answered in " + seconds + " s");

      // Each kind is closed by its own limit (measured from now, so within the limit).
      for (Socket s : unfinishedHeaders) {
        assertClosedWithin(s, HEADER.plusSeconds(2), "unfinished headers");
      }
      for (Socket s : unfinishedBodies) {
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(answer.startsWith("HTTP/1.1 408"), "an unfinished body: " + answer);
        assertTrue(answer.contains("{\"error\""), answer);
      }
      for (Socket s : idleKeepAlives) {
        assertClosedWithin(s, IDLE.plusSeconds(2), "an idle kept-alive connection");
      }
    } finally {
      for (List<Socket> sockets : List.of(unfinishedHeaders, unfinishedBodies, idleKeepAlives)) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
    HttpResponse<String> after =
        client.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/fashion")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, after.statusCode(), "and the server answers after them all");
  }

  @Test
  void headersBeyondTheLimitGetAJsonError() throws Exception {
    try (Socket s =
        open(
            "GET /v1/models/fashion HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "a".repeat(ServerLimits.MAX_HEADER_BYTES + 10)
                + "\r\n\r\n")) {
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
      assertTrue(answer.contains("{\"error\""), answer);
    }
  }

  /** The socket's peer closes it within {@code limit}: reading ends, without an answer. */
  private static void assertClosedWithin(Socket s, Duration limit, String what) throws IOException {
    s.setSoTimeout((int) limit.toMillis());
    try {
      int b;
      while ((b = s.getInputStream().read()) >= 0) {
        // an error answer before the close is fine; a close is what counts
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(what + ": still open after " + limit.toSeconds() + " s");
    } catch (IOException e) {
      // reset by the peer: closed
    }
  }

  private static String readResponseHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    String text = head.toString();
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return text;
  }
}
