package dev.convnet.savedmodel;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.convnet.model.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import javax.imageio.ImageIO;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The warm-up requests an export carries for TensorFlow Serving, which replays them before a
 * version answers (g3doc/saved_model_warmup.md): {@code assets.extra/tf_serving_warmup_requests}, a
 * TFRecord file (each record: its length as a little-endian uint64, the length's masked CRC-32C,
 * the bytes, their masked CRC-32C) of serialized {@code tensorflow.serving.PredictionLog}s, each a
 * {@code predict_log} holding a {@code PredictRequest}. {@code serve} replays the same file.
 */
public final class Warmup {
  private Warmup() {}

  /** Where the file goes in a SavedModel, as TensorFlow Serving looks for it. */
  public static final Path FILE = Path.of("assets.extra", "tf_serving_warmup_requests");

  /**
   * A request to replay: {@code n} images to a signature, as pixels ({@code serving_default}) or as
   * encoded files ({@code serving_images}).
   */
  public record Request(String signature, Instances instances) {
    /** How many images. */
    public int n() {
      return instances.n();
    }
  }

  /** Batch sizes warmed for each signature: one image, and the batcher's largest run. */
  /** The most images {@code serve} runs through the model at once: warmed, so it is ready. */
  public static final int LARGEST_BATCH = 64;

  static final int[] BATCHES = {1, LARGEST_BATCH};

  // Field numbers of tensorflow_serving/apis: prediction_log.proto, predict.proto, model.proto.
  private static final int PREDICTION_LOG_PREDICT_LOG = 6;
  private static final int PREDICT_LOG_REQUEST = 1;
  private static final int REQUEST_MODEL_SPEC = 1;
  private static final int REQUEST_INPUTS = 2;
  private static final int MODEL_SPEC_NAME = 1;
  private static final int MODEL_SPEC_SIGNATURE_NAME = 3;
  private static final int MAP_KEY = 1;
  private static final int MAP_VALUE = 2;

  /** The requests an export carries: blank images, in each batch size, to each signature. */
  static List<Request> requests() {
    List<Request> requests = new ArrayList<>();
    byte[] blank = blankPng();
    for (int n : BATCHES) {
      requests.add(
          new Request(
              ModelExport.SIGNATURE_KEY,
              new Instances.Pixels(new float[n * ModelConfig.IMG_SIZE_FLAT], n)));
      List<byte[]> files = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        files.add(blank);
      }
      requests.add(new Request(ModelExport.IMAGES_SIGNATURE_KEY, new Instances.Files(files)));
    }
    return requests;
  }

  /** Writes {@code requests} into {@code savedModel}'s warm-up file, for model {@code name}. */
  static void write(Path savedModel, String name, List<Request> requests) {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    for (Request request : requests) {
      byte[] record = predictionLog(name, request);
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      length.putLong(record.length);
      file.writeBytes(length.array());
      file.writeBytes(maskedCrc(length.array()));
      file.writeBytes(record);
      file.writeBytes(maskedCrc(record));
    }
    try {
      Path path = savedModel.resolve(FILE);
      Files.createDirectories(path.getParent());
      Files.write(path, file.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the warm-up requests: " + e.getMessage(), e);
    }
  }

  /**
   * The requests of {@code savedModel}'s warm-up file, none if it has none. Each record's CRCs are
   * checked; a damaged file is an error, as TensorFlow Serving refuses to load such a version.
   */
  public static List<Request> read(Path savedModel) {
    Path path = savedModel.resolve(FILE);
    if (!Files.isRegularFile(path)) {
      return List.of();
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new IllegalArgumentException(path + ": not a warm-up file (" + e.getMessage() + ")", e);
    }
    return parse(bytes, path);
  }

  /**
   * The requests of the warm-up file {@code bytes}, read from {@code path}.
   *
   * @throws IllegalArgumentException naming {@code path} when a record is damaged
   */
  public static List<Request> parse(byte[] bytes, Path path) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      List<Request> requests = new ArrayList<>();
      while (in.hasRemaining()) {
        byte[] length = new byte[8];
        in.get(length);
        check(length, in);
        long size = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (size < 0 || size > in.remaining()) {
          throw new IOException("a record longer than the file");
        }
        byte[] record = new byte[(int) size];
        in.get(record);
        check(record, in);
        requests.add(request(record));
      }
      return requests;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(path + ": not a warm-up file (" + e.getMessage() + ")", e);
    }
  }

  private static void check(byte[] data, ByteBuffer in) throws IOException {
    byte[] crc = new byte[4];
    in.get(crc);
    if (!java.util.Arrays.equals(crc, maskedCrc(data))) {
      throw new IOException("a record's CRC does not match");
    }
  }

  /** TFRecord's checksum: CRC-32C, rotated and offset so that a CRC of CRCs is not trivial. */
  static byte[] maskedCrc(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    int value = (int) crc.getValue();
    int masked = ((value >>> 15) | (value << 17)) + 0xa282ead8;
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked).array();
  }

  private static byte[] predictionLog(String name, Request request) {
    byte[] modelSpec =
        message(
            out -> {
              out.writeString(MODEL_SPEC_NAME, name);
              out.writeString(MODEL_SPEC_SIGNATURE_NAME, request.signature());
            });
    TensorProto.Builder tensor = TensorProto.newBuilder();
    String input;
    if (request.instances() instanceof Instances.Files sent) {
      input = ModelExport.IMAGES_INPUT;
      tensor.setDtype(DataType.DT_STRING).setTensorShape(shape(request.n()));
      sent.files().forEach(f -> tensor.addStringVal(ByteString.copyFrom(f)));
    } else {
      input = ModelExport.INPUT;
      float[] pixels = request.instances().pixels("warm-up request");
      ByteBuffer content =
          ByteBuffer.allocate(pixels.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      content.asFloatBuffer().put(pixels);
      tensor
          .setDtype(DataType.DT_FLOAT)
          .setTensorShape(shape(request.n(), ModelConfig.IMG_SIZE_FLAT))
          .setTensorContent(ByteString.copyFrom(content.array()));
    }
    byte[] entry =
        message(
            out -> {
              out.writeString(MAP_KEY, input);
              out.writeByteArray(MAP_VALUE, tensor.build().toByteArray());
            });
    byte[] predictRequest =
        message(
            out -> {
              out.writeByteArray(REQUEST_MODEL_SPEC, modelSpec);
              out.writeByteArray(REQUEST_INPUTS, entry);
            });
    byte[] predictLog = message(out -> out.writeByteArray(PREDICT_LOG_REQUEST, predictRequest));
    return message(out -> out.writeByteArray(PREDICTION_LOG_PREDICT_LOG, predictLog));
  }

  private static Request request(byte[] record) throws IOException {
    byte[] predictLog = field(record, PREDICTION_LOG_PREDICT_LOG);
    byte[] predictRequest = field(predictLog, PREDICT_LOG_REQUEST);
    String signature =
        new String(
            field(field(predictRequest, REQUEST_MODEL_SPEC), MODEL_SPEC_SIGNATURE_NAME),
            java.nio.charset.StandardCharsets.UTF_8);
    byte[] entry = field(predictRequest, REQUEST_INPUTS);
    TensorProto tensor = TensorProto.parseFrom(field(entry, MAP_VALUE));
    int n = (int) tensor.getTensorShape().getDim(0).getSize();
    if (tensor.getDtype() == DataType.DT_STRING) {
      List<byte[]> files = new ArrayList<>();
      tensor.getStringValList().forEach(b -> files.add(b.toByteArray()));
      return new Request(signature, new Instances.Files(files));
    }
    float[] pixels = new float[n * ModelConfig.IMG_SIZE_FLAT];
    tensor
        .getTensorContent()
        .asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(pixels);
    return new Request(signature, new Instances.Pixels(pixels, n));
  }

  /** The first length-delimited field {@code number} of a serialized message (empty if none). */
  private static byte[] field(byte[] message, int number) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag >>> 3 == number && (tag & 7) == 2) {
        return in.readByteArray();
      }
      in.skipField(tag);
    }
    return new byte[0];
  }

  private interface Writes {
    void to(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writes content) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      content.to(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return shape.build();
  }

  /** A black 28x28 grey PNG: a file that both preparations take. */
  private static byte[] blankPng() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(
          new java.awt.image.BufferedImage(
              ModelConfig.IMG_SIZE,
              ModelConfig.IMG_SIZE,
              java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
          "png",
          out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
