package dev.convnet.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.internal.Streams;
import com.google.gson.stream.JsonReader;
import dev.convnet.model.ModelConfig;
import java.io.StringReader;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TensorFlow Serving's REST API for the one signature this project exports: the request bodies of
 * {@code :predict} (row and columnar), the answers, the model status and the metadata, so a client
 * written for one works with the other unchanged.
 */
public final class ServingApi {
  /** The version a model is served as: TensorFlow Serving numbers versions, and this has one. */
  public static final String VERSION = "1";

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
   * A parsed {@code :predict} request: {@code n} images of 784 floats each.
   *
   * @param columnar whether it came as {@code "inputs"} (answered by {@code "outputs"})
   */
  public record PredictRequest(float[] images, int n, boolean columnar) {}

  /** Parses a {@code :predict} body; any problem is a 400 (or 413 beyond the instance limit). */
  public static PredictRequest parsePredict(String body) {
    JsonObject request = parseObject(body);
    if (request.has("signature_name")
        && !request.get("signature_name").isJsonNull()
        && !ModelExport.SIGNATURE_KEY.equals(asString(request.get("signature_name")))) {
      throw bad(
          "Serving signature name: \""
              + asString(request.get("signature_name"))
              + "\" not found in signature def");
    }
    boolean rows = request.has("instances");
    boolean columns = request.has("inputs");
    if (rows == columns) {
      throw bad(
          rows
              ? "Request body must contain either 'instances' or 'inputs', not both"
              : "Missing 'instances' or 'inputs' key");
    }
    JsonElement data = rows ? request.get("instances") : request.get("inputs");
    if (columns && data.isJsonObject()) {
      JsonObject named = data.getAsJsonObject();
      if (!named.has(ModelExport.INPUT) || named.size() != 1) {
        throw bad("'inputs' must name the one input, '" + ModelExport.INPUT + "'");
      }
      data = named.get(ModelExport.INPUT);
    }
    if (!data.isJsonArray()) {
      throw bad("'" + (rows ? "instances" : "inputs") + "' must be a list of images");
    }
    JsonArray list = data.getAsJsonArray();
    if (list.isEmpty()) {
      throw bad("no images in the request");
    }
    if (list.size() > MAX_INSTANCES) {
      throw new ApiException(
          413, list.size() + " images in one request; send at most " + MAX_INSTANCES);
    }
    int pixels = ModelConfig.IMG_SIZE_FLAT;
    float[] images = new float[list.size() * pixels];
    for (int i = 0; i < list.size(); i++) {
      JsonElement instance = list.get(i);
      if (rows && instance.isJsonObject()) {
        JsonObject named = instance.getAsJsonObject();
        if (!named.has(ModelExport.INPUT) || named.size() != 1) {
          throw bad("instance " + i + " must be {\"" + ModelExport.INPUT + "\": [784 pixels]}");
        }
        instance = named.get(ModelExport.INPUT);
      }
      if (!instance.isJsonArray() || instance.getAsJsonArray().size() != pixels) {
        throw bad(
            "image "
                + i
                + " must be a list of "
                + pixels
                + " pixels in [0, 1] (input x has shape [-1, "
                + pixels
                + "]), got "
                + describe(instance));
      }
      JsonArray values = instance.getAsJsonArray();
      for (int j = 0; j < pixels; j++) {
        images[i * pixels + j] = pixel(values.get(j), i, j);
      }
    }
    return new PredictRequest(images, list.size(), columns);
  }

  /** The answer to {@code request}: {@code predictions} by row, or {@code outputs} by column. */
  public static JsonObject answer(PredictRequest request, SavedModelClassifier.Outputs outputs) {
    int classes = outputs.probabilities().length / request.n();
    JsonObject answer = new JsonObject();
    if (request.columnar()) {
      JsonArray probabilities = new JsonArray();
      JsonArray predicted = new JsonArray();
      for (int i = 0; i < request.n(); i++) {
        probabilities.add(row(outputs.probabilities(), i, classes));
        predicted.add(outputs.classes()[i]);
      }
      JsonObject named = new JsonObject();
      named.add(ModelExport.OUTPUT_PROBABILITIES, probabilities);
      named.add(ModelExport.OUTPUT_CLASS, predicted);
      answer.add("outputs", named);
    } else {
      JsonArray predictions = new JsonArray();
      for (int i = 0; i < request.n(); i++) {
        JsonObject one = new JsonObject();
        one.add(ModelExport.OUTPUT_PROBABILITIES, row(outputs.probabilities(), i, classes));
        one.addProperty(ModelExport.OUTPUT_CLASS, outputs.classes()[i]);
        predictions.add(one);
      }
      answer.add("predictions", predictions);
    }
    return answer;
  }

  /** {@code GET /v1/models/NAME}: one version, available. */
  public static JsonObject status() {
    JsonObject status = new JsonObject();
    status.addProperty("error_code", "OK");
    status.addProperty("error_message", "");
    JsonObject version = new JsonObject();
    version.addProperty("version", VERSION);
    version.addProperty("state", "AVAILABLE");
    version.add("status", status);
    JsonArray versions = new JsonArray();
    versions.add(version);
    JsonObject answer = new JsonObject();
    answer.add("model_version_status", versions);
    return answer;
  }

  /** {@code GET /v1/models/NAME/metadata}: the signature as TensorFlow Serving shows it. */
  public static JsonObject metadata(String name, SignatureDef signature) {
    JsonObject def = new JsonObject();
    def.add("inputs", tensors(signature.getInputsMap()));
    def.add("outputs", tensors(signature.getOutputsMap()));
    def.addProperty("method_name", signature.getMethodName());
    JsonObject defs = new JsonObject();
    defs.add(ModelExport.SIGNATURE_KEY, def);
    JsonObject signatureDef = new JsonObject();
    signatureDef.add("signature_def", defs);
    JsonObject metadata = new JsonObject();
    metadata.add("signature_def", signatureDef);
    JsonObject spec = new JsonObject();
    spec.addProperty("name", name);
    spec.addProperty("signature_name", "");
    spec.addProperty("version", VERSION);
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

  /** Strict JSON: NaN, Infinity, comments and unquoted words are malformed, as in JSON itself. */
  private static JsonObject parseObject(String body) {
    JsonElement parsed;
    try {
      JsonReader reader = new JsonReader(new StringReader(body));
      reader.setStrictness(Strictness.STRICT);
      parsed = Streams.parse(reader);
      if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
        throw bad("malformed JSON: more after the request object");
      }
    } catch (JsonParseException | java.io.IOException | IllegalStateException e) {
      Matcher where = WHERE.matcher(String.valueOf(e.getMessage()));
      throw bad("malformed JSON" + (where.find() ? " " + where.group() : ""));
    }
    if (!parsed.isJsonObject()) {
      throw bad("the request body must be a JSON object");
    }
    return parsed.getAsJsonObject();
  }

  private static float pixel(JsonElement value, int image, int index) {
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw bad("image " + image + ", pixel " + index + ": not a number: " + value);
    }
    double v = value.getAsDouble();
    if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
      throw bad("image " + image + ", pixel " + index + ": not a finite number: " + value);
    }
    return (float) v;
  }

  private static String describe(JsonElement e) {
    return e.isJsonArray() ? "a list of " + e.getAsJsonArray().size() : e.toString();
  }

  private static String asString(JsonElement e) {
    return e.isJsonPrimitive() ? e.getAsString() : e.toString();
  }

  static ApiException bad(String message) {
    return new ApiException(400, message);
  }
}
