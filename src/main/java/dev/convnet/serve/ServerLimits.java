package dev.convnet.serve;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.common.Records;
import java.time.Duration;

/**
 * What one client may cost {@code serve}: request sizes, how long each part of a request may take
 * to arrive, and how many connections may be open. A slow or idle client holds a connection, never
 * a thread, and each limit closes the connections that overstay it.
 *
 * @param maxBodyBytes the largest request body accepted (413 beyond)
 * @param maxHeaderBytes the largest request line and headers accepted (431 beyond)
 * @param headerTimeout a new connection's first request line and headers must arrive within this
 * @param bodyTimeout a request's body must arrive within this once its headers have (408 beyond)
 * @param idleTimeout a connection with no bytes moving for this long is closed: an idle kept-alive
 *     connection, or headers of a later request that stall
 * @param maxConnections connections open at once; beyond it new ones wait to be accepted
 */
public record ServerLimits(
    long maxBodyBytes,
    int maxHeaderBytes,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration idleTimeout,
    int maxConnections) {

  /** 8 MB: a batch of 1,024 images as JSON numbers fits, a few hundred photos as b64 too. */
  public static final long MAX_BODY_BYTES = 8L << 20;

  /** 16 KB, Jetty's and nginx's order of size: far above what a client of this API sends. */
  public static final int MAX_HEADER_BYTES = 16 << 10;

  /** A client on a slow link still sends a request head within seconds. */
  public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);

  /** An 8 MB body at 300 KB/s. */
  public static final Duration BODY_TIMEOUT = Duration.ofSeconds(30);

  /** Long enough to keep a connection between a client's requests, short enough to free it. */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Each open connection costs a socket and a few KB, not a thread. */
  public static final int MAX_CONNECTIONS = 1_000;

  public static final ServerLimits DEFAULTS =
      new ServerLimits(
          MAX_BODY_BYTES,
          MAX_HEADER_BYTES,
          HEADER_TIMEOUT,
          BODY_TIMEOUT,
          IDLE_TIMEOUT,
          MAX_CONNECTIONS);

  public ServerLimits {
    if (maxBodyBytes < 1_024) {
      throw new InvalidSettingException(
          "maxBodyBytes", "{maxBodyBytes} must be at least 1024, got " + maxBodyBytes);
    }
    if (maxHeaderBytes < 1_024) {
      throw new InvalidSettingException(
          "maxHeaderBytes", "{maxHeaderBytes} must be at least 1024, got " + maxHeaderBytes);
    }
    requirePositive("headerTimeout", headerTimeout);
    requirePositive("bodyTimeout", bodyTimeout);
    requirePositive("idleTimeout", idleTimeout);
    if (maxConnections < 1) {
      throw new InvalidSettingException(
          "maxConnections", "{maxConnections} must be positive, got " + maxConnections);
    }
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new InvalidSettingException(
          field, "{" + field + "} must be a positive time, got " + value);
    }
  }

  public ServerLimits withMaxBodyBytes(long value) {
    return Records.with(this, "maxBodyBytes", value);
  }

  public ServerLimits withMaxHeaderBytes(int value) {
    return Records.with(this, "maxHeaderBytes", value);
  }

  public ServerLimits withHeaderTimeout(Duration value) {
    return Records.with(this, "headerTimeout", value);
  }

  public ServerLimits withBodyTimeout(Duration value) {
    return Records.with(this, "bodyTimeout", value);
  }

  public ServerLimits withIdleTimeout(Duration value) {
    return Records.with(this, "idleTimeout", value);
  }

  public ServerLimits withMaxConnections(int value) {
    return Records.with(this, "maxConnections", value);
  }
}
