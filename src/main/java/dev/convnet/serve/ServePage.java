package dev.convnet.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.convnet.data.ImageSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The page at {@code /} to try the model with a drawing or a photo: its two files, and the test
 * images it offers to click ({@code /examples.json}).
 */
final class ServePage {
  /** The page and its one script: the only files served; nothing else is looked up on disk. */
  private static final Map<String, String[]> FILES =
      Map.of(
          "/", new String[] {"page/index.html", "text/html; charset=utf-8"},
          "/index.html", new String[] {"page/index.html", "text/html; charset=utf-8"},
          "/page.js", new String[] {"page/page.js", "text/javascript; charset=utf-8"});

  static final String EXAMPLES = "/examples.json";

  /** The served model's class names, for the page's bars. */
  static final String CLASSES = "/classes.json";

  private static final byte[] NO_EXAMPLES = "[]".getBytes(StandardCharsets.UTF_8);

  private final byte[] examples;
  private final List<String> exampleClasses;
  private final ModelVersions versions;

  /**
   * {@code test} (may be null) gives one example of each class, offered while the model served by
   * {@code versions} tells those classes apart: a model of other classes gets none.
   */
  ServePage(ImageSet test, ModelVersions versions) {
    this.examples = examplesJson(test).getBytes(StandardCharsets.UTF_8);
    this.exampleClasses = test == null ? List.of() : test.classNames();
    this.versions = versions;
  }

  private byte[] classesJson() {
    List<String> names;
    try {
      names = versions.run(OptionalLong.empty(), served -> served.model.classNames());
    } catch (ServingApi.ApiException e) {
      names = List.of(); // no version serves yet
    }
    return Exchange.GSON.toJson(names).getBytes(StandardCharsets.UTF_8);
  }

  private boolean examplesFitTheModel() {
    try {
      return versions.run(
          OptionalLong.empty(), served -> served.model.classNames().equals(exampleClasses));
    } catch (ServingApi.ApiException e) {
      return false; // no version serves yet
    }
  }

  /** Whether {@code path} is one of the page's. */
  static boolean serves(String path) {
    return FILES.containsKey(path) || path.equals(EXAMPLES) || path.equals(CLASSES);
  }

  /** Answers a GET of one of the page's paths. */
  void answer(Exchange exchange) throws IOException {
    if (exchange.path().equals(CLASSES)) {
      exchange.send(200, "application/json", classesJson());
    } else if (exchange.path().equals(EXAMPLES)) {
      exchange.send(200, "application/json", examplesFitTheModel() ? examples : NO_EXAMPLES);
    } else {
      String[] file = FILES.get(exchange.path());
      exchange.send(200, file[1], resource(file[0]));
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ServePage.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return in.readAllBytes();
    }
  }

  /** One test image of each class, as pixel values 0-255 with its label. */
  private static String examplesJson(ImageSet test) {
    JsonArray list = new JsonArray();
    if (test != null) {
      boolean[] seen = new boolean[test.numClasses()];
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
          example.addProperty("label", test.classNames().get(label));
          example.add("pixels", values);
          list.add(example);
        }
      }
    }
    return Exchange.GSON.toJson(list);
  }
}
