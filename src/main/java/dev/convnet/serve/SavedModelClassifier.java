package dev.convnet.serve;

import dev.convnet.data.ImageSet;
import dev.convnet.model.Tensors;
import dev.convnet.train.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** A SavedModel written by {@link ModelExport}, loaded for classification. */
public final class SavedModelClassifier implements AutoCloseable {
  /** Images classified per call when walking a whole set. */
  public static final int BATCH_SIZE = 256;

  private final SavedModelBundle bundle;
  private final SessionFunction function;

  private SavedModelClassifier(SavedModelBundle bundle) {
    this.bundle = bundle;
    this.function = bundle.function(ModelExport.SIGNATURE_KEY);
  }

  /** Loads {@code dir} on the CPU. */
  public static SavedModelClassifier load(Path dir) {
    return load(dir, dev.convnet.model.Device.CPU_NAME);
  }

  /** Loads {@code dir} to run on {@code device}; a folder that is not such a SavedModel gets a one-line error. */
  public static SavedModelClassifier load(Path dir, String device) {
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(dir + " is not a SavedModel (no saved_model.pb); pass a run's saved_model folder");
    }
    SavedModelBundle bundle = SavedModelBundle.loader(dir.toString()).withTags(ModelExport.TAG)
        .withConfigProto(dev.convnet.model.Device.loadConfig(device)).load();
    try {
      return new SavedModelClassifier(bundle);
    } catch (RuntimeException e) {
      bundle.close();
      throw new IllegalArgumentException(dir + " has no '" + ModelExport.SIGNATURE_KEY + "' signature: " + e.getMessage());
    }
  }

  /** Class probabilities {@code [n, 10]} of {@code n} images given as 784 floats each in [0, 1]. */
  public float[] probabilities(float[] images, int n) {
    try (TFloat32 x = Tensors.images(images, n);
        Result result = function.call(Map.of(ModelExport.INPUT, x))) {
      return Tensors.floats((TFloat32) result.get(ModelExport.OUTPUT_PROBABILITIES).orElseThrow());
    }
  }

  /** Predicted classes of {@code n} images. */
  public long[] classes(float[] images, int n) {
    try (TFloat32 x = Tensors.images(images, n);
        Result result = function.call(Map.of(ModelExport.INPUT, x))) {
      return Tensors.longs((TInt64) result.get(ModelExport.OUTPUT_CLASS).orElseThrow());
    }
  }

  /** Classifies every image of {@code set}. */
  public Evaluation evaluate(ImageSet set) {
    return Evaluation.classify(set, BATCH_SIZE, this::classes);
  }

  /** The model's session, for fetching its named tensors. */
  public org.tensorflow.Session session() {
    return bundle.session();
  }

  @Override
  public void close() {
    bundle.close();
  }
}
