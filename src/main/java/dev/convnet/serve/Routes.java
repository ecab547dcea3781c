package dev.convnet.serve;

import com.google.gson.JsonObject;
import dev.convnet.common.Messages;
import dev.convnet.savedmodel.ModelExport;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.URIUtil;

/**
 * Which handler answers which path and method: TensorFlow Serving's {@code /v1/models/...} ({@link
 * ApiHandlers}), this project's {@code /images:classify}, and the page ({@link ServePage}). Errors
 * become {@code {"error": ...}} with their status.
 */
final class Routes {
  /** TensorFlow Serving's REST paths: everything under {@code /v1/}, in any case. */
  private static final Pattern API = Pattern.compile("(?i)/v1/.*");

  /** POST: {@code /v1/models/NAME[/versions/N | /labels/L]:VERB}, as TensorFlow Serving matches. */
  private static final Pattern PREDICTION =
      Pattern.compile(
          "(?i)/v1/models/([^/:]+)(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?"
              + ":(classify|regress|predict)");

  /** GET: {@code /v1/models[/NAME][/versions/N | /labels/L][/metadata]}. */
  private static final Pattern STATUS =
      Pattern.compile(
          "(?i)/v1/models(?:/([^/:]+))?(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?"
              + "(?:/(metadata))?");

  /** 200 once a version answers, 503 before: for a load balancer or Kubernetes' readiness. */
  static final String READY = "/ready";

  private final ModelVersions versions;
  private final String name;
  private final ApiHandlers api;
  private final ServePage page;

  Routes(ModelVersions versions, ServePage page) {
    this.versions = versions;
    this.name = versions.name();
    this.api = new ApiHandlers(versions);
    this.page = page;
  }

  /** Answers {@code exchange}; {@code body} is a POST's whole body (null for a GET). */
  void answer(Exchange exchange, byte[] body) {
    String path = exchange.path();
    String method = exchange.method();
    try {
      if (API.matcher(path).matches()) {
        model(exchange, body);
      } else if (path.equals(READY)) {
        requireMethod(method, "GET");
        JsonObject ready = new JsonObject();
        ready.addProperty("ready", versions.ready());
        if (!versions.ready()) {
          ready.addProperty("error", "no version of " + name + " is available yet");
        }
        exchange.sendJson(versions.ready() ? 200 : 503, ready);
      } else if (path.equals(ServeMetrics.PATH)) {
        requireMethod(method, "GET");
        exchange.send(200, versions.metrics().contentType(), versions.metrics().text());
      } else if (ServePage.serves(path)) {
        requireMethod(method, "GET");
        page.answer(exchange);
      } else if (path.equals("/images:classify")) {
        requireMethod(method, "POST");
        exchange.sendJson(200, api.classifyImage(exchange.request(), body));
      } else {
        throw new ServingApi.ApiException(404, "no such path: " + path);
      }
    } catch (ServingApi.ApiException e) {
      exchange.sendJson(e.status(), Exchange.error(e.getMessage()));
    } catch (IOException | RuntimeException e) {
      exchange.sendJson(500, Exchange.error("internal error: " + e.getMessage()));
    }
  }

  /**
   * A {@code /v1/} request, parsed as TensorFlow Serving parses it (http_rest_api_util.cc): a path
   * its patterns do not match, or another method than GET or POST, is a malformed request (400);
   * the model name and label are percent-decoded; a version is a number (400 if not one).
   */
  private void model(Exchange exchange, byte[] body) {
    String path = exchange.path();
    String method = exchange.method();
    Matcher m =
        method.equals("POST")
            ? PREDICTION.matcher(path)
            : method.equals("GET") ? STATUS.matcher(path) : null;
    if (m == null || !m.matches()) {
      throw ServingApi.bad("Malformed request: " + method + " " + path);
    }
    String model = m.group(1) == null ? "" : percentDecoded(m.group(1));
    OptionalLong version = OptionalLong.empty();
    if (m.group(2) != null) {
      try {
        version = OptionalLong.of(Long.parseLong(m.group(2)));
      } catch (NumberFormatException e) {
        throw ServingApi.bad("Failed to convert version: " + m.group(2) + " to numeric.");
      }
    }
    if (method.equals("GET") && model.isEmpty()) {
      throw ServingApi.bad("Missing model name in request.");
    }
    if (!model.equals(name)) {
      throw ServingApi.servableNotFound(model, version);
    }
    if (m.group(3) != null) {
      throw ServingApi.bad(
          "Unrecognized servable version label: " + Messages.echoed(percentDecoded(m.group(3))));
    }
    if (method.equals("GET")) {
      exchange.sendJson(200, m.group(4) != null ? api.metadata(version) : api.status(version));
      return;
    }
    String verb = m.group(4).toLowerCase(java.util.Locale.ROOT);
    if (!verb.equals("predict")) {
      // TensorFlow Serving's classifier and regressor want signatures of their own kind.
      throw ServingApi.bad(
          "Expected "
              + (verb.equals("classify") ? "classification" : "regression")
              + " signature method_name to be tensorflow/serving/"
              + verb
              + ". Was: "
              + ModelExport.PREDICT_METHOD);
    }
    exchange.sendJson(200, api.predict(version, body));
  }

  /** {@code %XX} sequences decoded (Jetty's decoder; '+' stays), as TensorFlow Serving does. */
  private static String percentDecoded(String text) {
    try {
      return URIUtil.decodePath(text);
    } catch (IllegalArgumentException e) {
      throw ServingApi.bad("Failed to decode model name: " + text);
    }
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new ServingApi.ApiException(405, method + " is not allowed here; use " + allowed);
    }
  }
}
