package dev.convnet.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** One request as the routes read it, and where its answer goes. */
record Exchange(Request request, Response response, Callback callback, String path, String method) {
  /** NaN and infinities written as TensorFlow Serving writes them, bare. */
  static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  /** TensorFlow Serving's error body: {@code {"error": "..."}}. */
  static JsonObject error(String message) {
    JsonObject error = new JsonObject();
    error.addProperty("error", message);
    return error;
  }

  void sendJson(int status, JsonElement body) {
    send(status, "application/json", GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
  }

  void send(int status, String type, byte[] body) {
    send(response, callback, status, type, body);
  }

  static void send(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    if (status == 405) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }
}
