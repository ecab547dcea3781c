package dev.convnet.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import dev.convnet.testing.TrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.types.TString;

/**
 * The export's warm-up requests, read back by readers other than the one that wrote them:
 * TensorFlow's own TFRecord reader (which checks every length and CRC) and a schema-less protobuf
 * parse following tensorflow_serving/apis' field numbers.
 */
class WarmupTest {
  @TempDir Path dir;

  /** Every record of a TFRecord file, as TensorFlow's TFRecordDataset reads it. */
  private static List<byte[]> recordsByTensorFlow(Path file) {
    List<byte[]> records = new ArrayList<>();
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      var files = tf.io.fifoQueue(List.of(TString.class));
      var reader = tf.io.tfRecordReader();
      var read = tf.io.readerRead(reader, files);
      session
          .runner()
          .addTarget(tf.io.queueEnqueue(files, List.of(tf.constant(file.toString()))))
          .run();
      session.runner().addTarget(tf.io.queueClose(files)).run();
      while (true) {
        try (Result result = session.runner().fetch(read.value()).run()) {
          records.add(((TString) result.get(0)).asBytes().getObject());
        } catch (TFOutOfRangeException end) {
          return records;
        }
      }
    }
  }

  private static UnknownFieldSet message(UnknownFieldSet parent, int field) throws Exception {
    return UnknownFieldSet.parseFrom(parent.getField(field).getLengthDelimitedList().get(0));
  }

  @Test
  void theExportCarriesPredictionLogsThatTensorFlowReadsBack() throws Exception {
    Path file = TrainedModel.get().savedModel.resolve(Warmup.FILE);
    List<byte[]> records = recordsByTensorFlow(file);
    assertEquals(2 * Warmup.BATCHES.length, records.size(), "each batch size to each signature");
    List<String> seen = new ArrayList<>();
    for (byte[] record : records) {
      // PredictionLog.predict_log (6) -> PredictLog.request (1) -> PredictRequest
      UnknownFieldSet request = message(message(UnknownFieldSet.parseFrom(record), 6), 1);
      UnknownFieldSet spec = message(request, 1);
      String name = spec.getField(1).getLengthDelimitedList().get(0).toStringUtf8();
      String signature = spec.getField(3).getLengthDelimitedList().get(0).toStringUtf8();
      assertEquals(ModelExport.MODEL_NAME, name);
      // inputs (2): one map entry, key (1) and TensorProto value (2)
      UnknownFieldSet entry = message(request, 2);
      String input = entry.getField(1).getLengthDelimitedList().get(0).toStringUtf8();
      TensorProto tensor = TensorProto.parseFrom(entry.getField(2).getLengthDelimitedList().get(0));
      long n = tensor.getTensorShape().getDim(0).getSize();
      if (signature.equals(ModelExport.SIGNATURE_KEY)) {
        assertEquals(ModelExport.INPUT, input);
        assertEquals(DataType.DT_FLOAT, tensor.getDtype());
        assertEquals(784, tensor.getTensorShape().getDim(1).getSize());
        assertEquals(n * 784 * 4, tensor.getTensorContent().size());
      } else {
        assertEquals(ModelExport.IMAGES_SIGNATURE_KEY, signature);
        assertEquals(ModelExport.IMAGES_INPUT, input);
        assertEquals(DataType.DT_STRING, tensor.getDtype());
        assertEquals(n, tensor.getStringValCount());
        byte[] png = tensor.getStringVal(0).toByteArray();
        assertArrayEquals(
            new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4), "a PNG");
      }
      seen.add(signature + " " + n);
    }
    assertEquals(
        List.of("serving_default 1", "serving_images 1", "serving_default 64", "serving_images 64"),
        seen);
    // And serve's own reader takes what TensorFlow read.
    List<Warmup.Request> read = Warmup.read(TrainedModel.get().savedModel);
    assertEquals(records.size(), read.size());
    assertEquals(64, read.get(2).n());
  }

  @Test
  void aDamagedFileIsRefused() throws Exception {
    Path savedModel = Files.createDirectories(dir.resolve("model"));
    Files.createDirectories(savedModel.resolve(Warmup.FILE).getParent());
    byte[] good = Files.readAllBytes(TrainedModel.get().savedModel.resolve(Warmup.FILE));
    good[20] ^= 1; // inside the first record: its CRC no longer matches
    Files.write(savedModel.resolve(Warmup.FILE), good);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Warmup.read(savedModel));
    assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    assertEquals(List.of(), Warmup.read(dir.resolve("no-warmup")), "a model without the file");
  }
}
