package dev.convnet.serve;

import dev.convnet.model.ConvNet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/**
 * Writes a trained network as a SavedModel that TensorFlow Serving, Python's {@code
 * tf.saved_model.load} or TensorFlow Java can serve: tag "serve", signature "serving_default" from
 * {@code x} to {@code probabilities} and {@code class}.
 */
public final class ModelExport {
  public static final String TAG = "serve";
  public static final String SIGNATURE_KEY = "serving_default";

  /** TensorFlow Java leaves the method name empty; Serving's predict API wants this one. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  public static final String INPUT = "x";
  public static final String OUTPUT_PROBABILITIES = "probabilities";
  public static final String OUTPUT_CLASS = "class";

  private ModelExport() {}

  /**
   * Exports {@code net} into {@code dir}, which must not exist or be empty (the exporter would mix
   * files).
   */
  public static void export(ConvNet net, Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> entries = Files.list(dir)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalStateException(dir + " already holds files; export into a new folder");
          }
        }
      }
      Files.createDirectories(dir);
      Signature signature =
          Signature.builder()
              .key(SIGNATURE_KEY)
              .methodName(PREDICT_METHOD)
              .input(INPUT, net.x)
              .output(OUTPUT_PROBABILITIES, net.yPred)
              .output(OUTPUT_CLASS, net.yPredCls)
              .build();
      SavedModelBundle.exporter(dir.toString())
          .withTags(TAG)
          .withSession(net.session)
          .withSignature(signature)
          .export();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot export the model to " + dir + ": " + e.getMessage(), e);
    }
  }
}
