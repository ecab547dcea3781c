package dev.convnet.serve;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which handler answers which path and method: TensorFlow Serving's {@code /v1/models/...} ({@link
 * ApiHandlers}), this project's {@code /images:classify}, and the page ({@link ServePage}). Errors
 * become {@code {"error": ...}} with their status.
 */
final class Routes {
  private static final Pattern MODEL_PATH =
      Pattern.compile("/v1/models/([^/:]+)(?:/versions/([^/:]+))?(/metadata|:predict|:[^/]*)?");

  private final String name;
  private final ApiHandlers api;
  private final ServePage page;

  Routes(String name, ApiHandlers api, ServePage page) {
    this.name = name;
    this.api = api;
    this.page = page;
  }

  /** Answers {@code exchange}; {@code body} is a POST's whole body (null for a GET). */
  void answer(Exchange exchange, byte[] body) {
    String path = exchange.path();
    String method = exchange.method();
    try {
      if (ServePage.serves(path)) {
        requireMethod(method, "GET");
        page.answer(exchange);
      } else if (path.equals("/images:classify")) {
        requireMethod(method, "POST");
        exchange.sendJson(200, api.classifyImage(exchange.request(), body));
      } else if (path.startsWith("/v1/models/")) {
        model(exchange, body);
      } else {
        throw new ServingApi.ApiException(404, "no such path: " + path);
      }
    } catch (ServingApi.ApiException e) {
      exchange.sendJson(e.status(), Exchange.error(e.getMessage()));
    } catch (IOException | RuntimeException e) {
      exchange.sendJson(500, Exchange.error("internal error: " + e.getMessage()));
    }
  }

  private void model(Exchange exchange, byte[] body) {
    String path = exchange.path();
    String method = exchange.method();
    Matcher m = MODEL_PATH.matcher(path);
    if (!m.matches()) {
      throw new ServingApi.ApiException(404, "no such path: " + path);
    }
    if (!m.group(1).equals(name)) {
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
        exchange.sendJson(200, api.status());
      }
      case "/metadata" -> {
        requireMethod(method, "GET");
        exchange.sendJson(200, api.metadata());
      }
      case ":predict" -> {
        requireMethod(method, "POST");
        exchange.sendJson(200, api.predict(body));
      }
      default ->
          throw new ServingApi.ApiException(
              404, "unknown verb " + action.substring(1) + " (this server answers :predict)");
    }
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ServingApi.ApiException(405, method + " is not allowed here; use " + allowed);
    }
  }
}
