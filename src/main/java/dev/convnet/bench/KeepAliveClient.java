package dev.convnet.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One benchmark client of {@code serve}: one kept-alive HTTP/1.1 connection on a blocking socket,
 * sending the same POST again and again, as a load tool such as wrk does: one write and one read a
 * request, nothing parsed but the status line and the headers. Clients share the machine's cores
 * with the server, so what a client costs is taken from the server: the JDK's {@code java.net.http}
 * client cost about nine times as much CPU a request ({@code bench --serve --client jdk} measures
 * with it; docs/performance.md#serving).
 */
final class KeepAliveClient implements AutoCloseable {
  private static final int TIMEOUT_MS = 60_000;

  private final URI uri;
  private final byte[] request;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  /** A client that will POST {@code jsonBody} to {@code uri}. */
  KeepAliveClient(URI uri, byte[] jsonBody) {
    this.uri = uri;
    byte[] head =
        ("POST "
                + uri.getRawPath()
                + " HTTP/1.1\r\nHost: "
                + uri.getHost()
                + ":"
                + uri.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + jsonBody.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    request = new byte[head.length + jsonBody.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(jsonBody, 0, request, head.length, jsonBody.length);
  }

  /** Sends the request once and reads the whole answer; anything but 200 is an error. */
  void send() throws IOException {
    if (socket == null) {
      socket = new Socket(uri.getHost(), uri.getPort());
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(TIMEOUT_MS);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }
    out.write(request);
    out.flush();
    String status = line();
    long length = -1;
    boolean close = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      String name = colon < 0 ? header : header.substring(0, colon).trim();
      String value = colon < 0 ? "" : header.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    if (length < 0) {
      throw new IOException("serve answered without a Content-Length: " + status);
    }
    byte[] body = in.readNBytes((int) length);
    if (!status.startsWith("HTTP/1.1 200 ")) {
      throw new IOException(
          "serve answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
    }
    if (close) {
      close();
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("serve closed the connection");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
