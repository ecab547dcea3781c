package dev.convnet.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import dev.convnet.common.Messages;
import dev.convnet.model.ModelConfig;
import dev.convnet.savedmodel.Instances;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TensorFlow Serving's REST API for the two signatures this project exports (pixels, and image
 * files as {@code {"b64": ...}}): the request bodies of {@code :predict} (row and columnar), the
 * answers, the model status and the metadata, so a client written for one works with the other
 * unchanged.
 */
public final class ServingApi {

  /** The most instances one request may carry. */
  public static final int MAX_INSTANCES = 1_024;

  /** Where a JSON parse failed, as Gson says it: "at line 1 column 17". */
  private static final Pattern WHERE = Pattern.compile("at line \\d+ column \\d+");

  private ServingApi() {}

  /** A request that cannot be answered, with TensorFlow Serving's HTTP status for it. */
  public static final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * A parsed {@code :predict} request: {@code n} images, as 784 floats each for {@code
   * serving_default} or as encoded files for {@code serving_images}.
   *
   * @param instances the images: pixels, or image files sent as {@code {"b64": ...}}
   * @param columnar whether it came as {@code "inputs"} (answered by {@code "outputs"})
   * @param signature the signature asked for
   */
  public record PredictRequest(Instances instances, boolean columnar, String signature) {
    /** How many images. */
    public int n() {
      return instances.n();
    }
  }

  /**
   * A gzip request body inflated, within {@code maxBytes}: a small bomb is refused like a large
   * body (413), bytes that are not gzip with a 400.
   */
  public static byte[] gunzip(byte[] compressed, long maxBytes) {
    try (java.util.zip.GZIPInputStream in =
        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(compressed))) {
      byte[] inflated = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (inflated.length > maxBytes) {
        throw new ApiException(413, "request body larger than " + maxBytes + " bytes");
      }
      return inflated;
    } catch (java.io.IOException e) {
      throw bad("cannot decompress the gzip request body (" + e.getMessage() + ")");
    }
  }

  /**
   * Parses a {@code :predict} body; any problem is a 400 (or 413 beyond the instance limit). The
   * body is read as a stream straight into one float array: no tree of 784 objects an image.
   */
  public static PredictRequest parsePredict(String body) {
    if (body.isBlank()) {
      throw bad("JSON Parse error: The document is empty");
    }
    try {
      JsonReader reader = new JsonReader(new StringReader(SpecialNumbers.marked(body)));
      reader.setStrictness(Strictness.STRICT);
      // An unknown key may hold anything, however deep; it is skipped without recursion.
      reader.setNestingLimit(Integer.MAX_VALUE);
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw bad("the request body must be a JSON object");
      }
      reader.beginObject();
      Images rows = null;
      Images columns = null;
      String signature = ModelExport.SIGNATURE_KEY;
      while (reader.hasNext()) {
        String key = reader.nextName();
        switch (key) {
          case "signature_name" -> {
            if (reader.peek() != JsonToken.STRING) {
              throw bad("'signature_name' key must be a string value.");
            }
            String name = reader.nextString();
            if (name.isEmpty() || ModelExport.SIGNATURE_KEY.equals(name)) {
              signature = ModelExport.SIGNATURE_KEY; // "" is the default signature there too
            } else if (ModelExport.IMAGES_SIGNATURE_KEY.equals(name)) {
              signature = name;
            } else {
              throw bad(
                  "Serving signature name: \""
                      + Messages.echoed(name)
                      + "\" not found in signature def");
            }
          }
          case "instances" -> rows = readInstances(reader, "instances", true);
          case "inputs" -> {
            if (reader.peek() == JsonToken.BEGIN_OBJECT) {
              // Keys that name no input of the signatures are ignored, as TensorFlow Serving
              // ignores them; one that does is the input.
              reader.beginObject();
              while (reader.hasNext()) {
                String input = reader.nextName();
                if (!input.equals(ModelExport.INPUT) && !input.equals(ModelExport.IMAGES_INPUT)) {
                  reader.skipValue();
                } else if (columns != null) {
                  throw bad("'inputs' names two inputs; the signatures take one each");
                } else {
                  columns = readInstances(reader, "inputs", false);
                }
              }
              reader.endObject();
              if (columns == null) {
                throw bad("'inputs' must name the one input, '" + ModelExport.INPUT + "'");
              }
            } else {
              columns = readInstances(reader, "inputs", false);
            }
          }
          default -> reader.skipValue(); // TensorFlow Serving ignores unknown keys too
        }
      }
      reader.endObject(); // what follows the object is not read, as TensorFlow Serving's parser
      if (rows != null && columns != null) {
        throw bad("Request body must contain either 'instances' or 'inputs', not both");
      }
      if (rows == null && columns == null) {
        throw bad("Missing 'instances' or 'inputs' key");
      }
      Images images = rows != null ? rows : columns;
      boolean files = images.files() != null;
      if (files != signature.equals(ModelExport.IMAGES_SIGNATURE_KEY)) {
        throw bad(
            files
                ? "{\"b64\": ...} image files go to signature '"
                    + ModelExport.IMAGES_SIGNATURE_KEY
                    + "'; '"
                    + signature
                    + "' takes 784 pixels an image"
                : "signature '"
                    + ModelExport.IMAGES_SIGNATURE_KEY
                    + "' takes image files as {\"b64\": \"...\"}, one an instance");
      }
      return new PredictRequest(
          files
              ? new Instances.Files(images.files())
              : new Instances.Pixels(images.values(), images.count()),
          columns != null,
          signature);
    } catch (MalformedJsonException | EOFException | IllegalStateException e) {
      Matcher where = WHERE.matcher(String.valueOf(e.getMessage()));
      throw bad("malformed JSON" + (where.find() ? " " + where.group() : ""));
    } catch (IOException e) {
      throw bad("malformed JSON");
    }
  }

  /** Images read: {@code count} of 784 floats each, or {@code count} encoded files. */
  private record Images(float[] values, List<byte[]> files, int count) {}

  private static Images readInstances(JsonReader reader, String key, boolean rows)
      throws IOException {
    if (reader.peek() != JsonToken.BEGIN_ARRAY) {
      throw bad("'" + key + "' must be a list of images");
    }
    int pixels = ModelConfig.IMG_SIZE_FLAT;
    // Room for one image, doubled as more come: most requests carry one (a 16-image start cost a
    // one-image request 50 KB, a third of serve's allocation under load, by a flight recording).
    float[] values = new float[pixels];
    int count = 0;
    List<byte[]> files = null;
    boolean objects = false;
    reader.beginArray();
    while (reader.hasNext()) {
      if (count == MAX_INSTANCES) {
        throw new ApiException(
            413,
            "more than " + MAX_INSTANCES + " images in one request; send at most " + MAX_INSTANCES);
      }
      boolean object = reader.peek() == JsonToken.BEGIN_OBJECT;
      if (rows && count > 0 && object != objects) {
        throw bad(
            "instance "
                + count
                + ": the instances must all be objects or all be lists (the row format)");
      }
      objects = object;
      String first = "";
      if (object) {
        reader.beginObject();
        first = reader.hasNext() ? reader.nextName() : "";
      }
      boolean file =
          object && (first.equals("b64") || rows && first.equals(ModelExport.IMAGES_INPUT));
      if (count > 0 && file != (files != null)) {
        throw bad("instance " + count + ": a request sends pixels or image files, not both");
      }
      if (file) {
        if (files == null) {
          files = new ArrayList<>();
        }
        files.add(readFile(reader, count, first, rows));
      } else {
        if (object && !first.equals(ModelExport.INPUT)) {
          throw bad("instance " + count + " must be {\"" + ModelExport.INPUT + "\": [784 pixels]}");
        }
        if (values.length < (count + 1) * pixels) {
          values = java.util.Arrays.copyOf(values, values.length * 2);
        }
        readImage(reader, values, count);
        if (object) {
          if (reader.hasNext()) {
            throw bad(
                "instance " + count + " must be {\"" + ModelExport.INPUT + "\": [784 pixels]}");
          }
          reader.endObject();
        }
      }
      count++;
    }
    reader.endArray();
    if (count == 0) {
      throw bad("no images in the request");
    }
    if (files != null) {
      return new Images(null, files, count);
    }
    return new Images(
        values.length == count * pixels ? values : java.util.Arrays.copyOf(values, count * pixels),
        null,
        count);
  }

  /**
   * The rest of one image file, its object begun and its first key read: {@code {"b64": "..."}}, or
   * in the row format also {@code {"image_bytes": {"b64": "..."}}} (TensorFlow Serving's way of
   * sending the bytes of a string tensor).
   */
  private static byte[] readFile(JsonReader reader, int index, String key, boolean rows)
      throws IOException {
    String shape = "instance " + index + " must be {\"b64\": \"<base64 of an image file>\"}";
    boolean named = rows && key.equals(ModelExport.IMAGES_INPUT);
    if (named) {
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw bad(shape);
      }
      reader.beginObject();
      key = reader.hasNext() ? reader.nextName() : "";
    }
    if (!key.equals("b64") || reader.peek() != JsonToken.STRING) {
      throw bad(shape);
    }
    byte[] bytes;
    try {
      bytes = base64(reader.nextString());
    } catch (IllegalArgumentException e) {
      throw bad("instance " + index + ": b64 is not base64 (" + e.getMessage() + ")");
    }
    if (reader.hasNext()) {
      throw bad(shape);
    }
    reader.endObject();
    if (named) {
      if (reader.hasNext()) {
        throw bad(shape);
      }
      reader.endObject();
    }
    return bytes;
  }

  /**
   * Base64 as TensorFlow Serving's clients send it: the standard alphabet or the web-safe one,
   * padded or not, with line breaks (Python's {@code base64.encodebytes}) or without.
   */
  static byte[] base64(String text) {
    String compact = WHITESPACE.matcher(text).replaceAll("");
    boolean webSafe = compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0;
    return (webSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(compact);
  }

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private static void readImage(JsonReader reader, float[] values, int image) throws IOException {
    int pixels = ModelConfig.IMG_SIZE_FLAT;
    String shape =
        "image "
            + image
            + " must be a list of "
            + pixels
            + " pixels in [0, 1] (input x has shape"
            + " [-1, "
            + pixels
            + "])";
    if (reader.peek() != JsonToken.BEGIN_ARRAY) {
      throw bad(shape + ", got " + reader.peek().name().toLowerCase(java.util.Locale.ROOT));
    }
    reader.beginArray();
    int j = 0;
    while (reader.hasNext()) {
      if (j == pixels) {
        throw bad(shape + ", got more");
      }
      if (reader.peek() != JsonToken.NUMBER) {
        throw bad("image " + image + ", pixel " + j + ": not a number");
      }
      // NaN, Infinity and numbers beyond float32 are taken, as TensorFlow Serving takes them.
      values[image * pixels + j++] = SpecialNumbers.value(reader.nextString());
    }
    reader.endArray();
    if (j != pixels) {
      throw bad(shape + ", got a list of " + j);
    }
  }

  /**
   * The answer to {@code request}: {@code predictions} by row, or {@code outputs} by column, each
   * class also by its name among {@code classNames} (the SavedModel's {@code class_name} output).
   */
  public static JsonObject answer(
      PredictRequest request, SavedModelClassifier.Outputs outputs, List<String> classNames) {
    int classes = outputs.probabilities().length / request.n();
    JsonObject answer = new JsonObject();
    if (request.columnar()) {
      JsonArray probabilities = new JsonArray();
      JsonArray predicted = new JsonArray();
      JsonArray names = new JsonArray();
      for (int i = 0; i < request.n(); i++) {
        probabilities.add(row(outputs.probabilities(), i, classes));
        predicted.add(outputs.classes()[i]);
        names.add(classNames.get((int) outputs.classes()[i]));
      }
      JsonObject named = new JsonObject();
      named.add(ModelExport.OUTPUT_PROBABILITIES, probabilities);
      named.add(ModelExport.OUTPUT_CLASS, predicted);
      named.add(ModelExport.OUTPUT_CLASS_NAME, names);
      answer.add("outputs", named);
    } else {
      JsonArray predictions = new JsonArray();
      for (int i = 0; i < request.n(); i++) {
        JsonObject one = new JsonObject();
        one.add(ModelExport.OUTPUT_PROBABILITIES, row(outputs.probabilities(), i, classes));
        one.addProperty(ModelExport.OUTPUT_CLASS, outputs.classes()[i]);
        one.addProperty(ModelExport.OUTPUT_CLASS_NAME, classNames.get((int) outputs.classes()[i]));
        predictions.add(one);
      }
      answer.add("predictions", predictions);
    }
    return answer;
  }

  /** {@code GET /v1/models/NAME/metadata}: the signatures as TensorFlow Serving shows them. */
  public static JsonObject metadata(
      String name, Map<String, SignatureDef> signatures, long version) {
    JsonObject defs = new JsonObject();
    signatures.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              JsonObject def = new JsonObject();
              def.add("inputs", tensors(e.getValue().getInputsMap()));
              def.add("outputs", tensors(e.getValue().getOutputsMap()));
              def.addProperty("method_name", e.getValue().getMethodName());
              def.add("defaults", new JsonObject());
              defs.add(e.getKey(), def);
            });
    JsonObject signatureDef = new JsonObject();
    signatureDef.add("signature_def", defs);
    JsonObject metadata = new JsonObject();
    metadata.add("signature_def", signatureDef);
    JsonObject spec = new JsonObject();
    spec.addProperty("name", name);
    spec.addProperty("signature_name", "");
    spec.addProperty("version", Long.toString(version));
    JsonObject answer = new JsonObject();
    answer.add("model_spec", spec);
    answer.add("metadata", metadata);
    return answer;
  }

  private static JsonObject tensors(Map<String, TensorInfo> infos) {
    JsonObject tensors = new JsonObject();
    infos.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              JsonArray dims = new JsonArray();
              for (TensorShapeProto.Dim d : e.getValue().getTensorShape().getDimList()) {
                JsonObject dim = new JsonObject();
                dim.addProperty("size", Long.toString(d.getSize()));
                dim.addProperty("name", d.getName());
                dims.add(dim);
              }
              JsonObject shape = new JsonObject();
              shape.add("dim", dims);
              shape.addProperty("unknown_rank", e.getValue().getTensorShape().getUnknownRank());
              JsonObject tensor = new JsonObject();
              tensor.addProperty("dtype", e.getValue().getDtype().name());
              tensor.add("tensor_shape", shape);
              tensor.addProperty("name", e.getValue().getName());
              tensors.add(e.getKey(), tensor);
            });
    return tensors;
  }

  private static JsonArray row(float[] values, int i, int width) {
    JsonArray row = new JsonArray();
    for (int c = 0; c < width; c++) {
      row.add(values[i * width + c]);
    }
    return row;
  }

  /** TensorFlow Serving's 404 for a model name or version it does not serve. */
  static ApiException servableNotFound(String model, java.util.OptionalLong version) {
    return new ApiException(
        404,
        "Servable not found for request: "
            + (version.isPresent()
                ? "Specific(" + Messages.echoed(model) + ", " + version.getAsLong() + ")"
                : "Latest(" + Messages.echoed(model) + ")"));
  }

  static ApiException bad(String message) {
    return new ApiException(400, message);
  }
}
