package dev.convnet.savedmodel;

import dev.convnet.common.InvalidSettingException;
import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.model.Device;
import dev.convnet.model.InferenceGraph;
import dev.convnet.model.Tensors;
import dev.convnet.results.Evaluation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/** A SavedModel written by {@link ModelExport}, loaded for classification. */
public final class SavedModelClassifier implements AutoCloseable {
  private final SavedModelBundle bundle;
  private final SessionFunction function;
  private final List<String> classNames;

  private SavedModelClassifier(SavedModelBundle bundle) {
    this.bundle = bundle;
    this.function = bundle.function(ModelExport.SIGNATURE_KEY);
    this.classNames = classNames(bundle);
  }

  /**
   * The class names the export carries in its {@code class_names} constant, fetched from the
   * session; a model exported before it carried them was trained on Fashion-MNIST.
   */
  private static List<String> classNames(SavedModelBundle bundle) {
    boolean carried =
        bundle.metaGraphDef().getGraphDef().getNodeList().stream()
            .anyMatch(node -> node.getName().equals(InferenceGraph.CLASS_NAMES));
    if (!carried) {
      return FashionMnist.LABELS;
    }
    try (Result result = bundle.session().runner().fetch(InferenceGraph.CLASS_NAMES).run()) {
      TString names = (TString) result.get(0);
      List<String> out = new ArrayList<>();
      names.scalars().forEach(name -> out.add(name.getObject()));
      return List.copyOf(out);
    }
  }

  /** Who calls the loaded model, which decides how its session uses the cores. */
  public enum Callers {
    /** One caller with large batches ({@code evaluate}): each op split over every core. */
    ONE,
    /**
     * Many concurrent callers ({@code serve}): each run's ops on the thread that called it, so
     * concurrent runs spread over the cores and a one-image run hands nothing to a pool.
     */
    MANY
  }

  /** Loads {@code dir} on the CPU for one caller. */
  public static SavedModelClassifier load(Path dir) {
    return load(dir, Device.CPU_NAME);
  }

  /** Loads {@code dir} to run on {@code device} for one caller. */
  public static SavedModelClassifier load(Path dir, String device) {
    return load(dir, device, Callers.ONE);
  }

  /**
   * Loads {@code dir} to run on {@code device}. A folder that is not a SavedModel, or one with a
   * missing, empty or truncated file, gets one line naming the folder and what is wrong.
   */
  public static SavedModelClassifier load(Path dir, String device, Callers callers) {
    if (!Files.exists(dir)) {
      throw new InvalidSettingException("model", "{model} " + dir + ": no such folder");
    }
    if (!Files.isDirectory(dir)) {
      throw new InvalidSettingException(
          "model",
          "{model} "
              + dir
              + " is a file; give the SavedModel folder, such as runs/<run>/saved_model");
    }
    if (!Files.isRegularFile(dir.resolve(ModelExport.SAVED_MODEL_FILE))) {
      throw new IllegalArgumentException(
          dir
              + " is not a SavedModel (no "
              + ModelExport.SAVED_MODEL_FILE
              + "); pass a run's saved_model folder");
    }
    Path variables = dir.resolve("variables");
    requireFile(dir, variables.resolve("variables.index"));
    try (Stream<Path> files = Files.list(variables)) {
      if (files.noneMatch(p -> p.getFileName().toString().startsWith("variables.data-"))) {
        throw damaged(dir, "variables/variables.data-* is missing");
      }
    } catch (IOException e) {
      throw damaged(dir, "variables/ cannot be read (" + e.getMessage() + ")");
    }
    SavedModelBundle bundle;
    try {
      bundle =
          SavedModelBundle.loader(dir.toString())
              .withTags(ModelExport.TAG)
              .withConfigProto(Device.loadConfig(device, callers == Callers.MANY))
              .load();
    } catch (RuntimeException e) {
      String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw damaged(dir, "TensorFlow cannot load it: " + first);
    }
    try {
      return new SavedModelClassifier(bundle);
    } catch (RuntimeException e) {
      bundle.close();
      throw new IllegalArgumentException(
          dir + " has no '" + ModelExport.SIGNATURE_KEY + "' signature: " + e.getMessage());
    }
  }

  private static void requireFile(Path dir, Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) == 0) {
        throw damaged(dir, dir.relativize(file) + " is missing or empty");
      }
    } catch (IOException e) {
      throw damaged(dir, dir.relativize(file) + " cannot be read");
    }
  }

  private static IllegalArgumentException damaged(Path dir, String what) {
    return new IllegalArgumentException(
        "the SavedModel in "
            + dir
            + " is damaged: "
            + what
            + "; export it again (a run's checkpoint can be resumed to write a new one)");
  }

  /**
   * Class probabilities {@code [n, classes]} of {@code n} images given as 784 floats each in [0,
   * 1].
   */
  public float[] probabilities(float[] images, int n) {
    try (TFloat32 x = Tensors.images(images, n);
        Result result = function.call(Map.of(ModelExport.INPUT, x))) {
      return Tensors.floats((TFloat32) result.get(ModelExport.OUTPUT_PROBABILITIES).orElseThrow());
    }
  }

  /** Both outputs of the signature for {@code n} images: what a prediction request answers. */
  public record Outputs(float[] probabilities, long[] classes) {}

  /** Both outputs of {@code n} images given as 784 floats each, in one run of the model. */
  public Outputs predict(float[] images, int n) {
    try (TFloat32 x = Tensors.images(images, n);
        Result result = function.call(Map.of(ModelExport.INPUT, x))) {
      return new Outputs(
          Tensors.floats((TFloat32) result.get(ModelExport.OUTPUT_PROBABILITIES).orElseThrow()),
          Tensors.longs((TInt64) result.get(ModelExport.OUTPUT_CLASS).orElseThrow()));
    }
  }

  /**
   * Both outputs for image files, decoded and prepared by the SavedModel's {@code serving_images}
   * signature in its graph (whose decoder bounds nothing: check the headers first).
   */
  public Outputs predictFiles(List<byte[]> files) {
    try (TString input =
            TString.tensorOfBytes(NdArrays.vectorOfObjects(files.toArray(byte[][]::new)));
        Result result =
            bundle
                .function(ModelExport.IMAGES_SIGNATURE_KEY)
                .call(Map.of(ModelExport.IMAGES_INPUT, input))) {
      return new Outputs(
          Tensors.floats((TFloat32) result.get(ModelExport.OUTPUT_PROBABILITIES).orElseThrow()),
          Tensors.longs((TInt64) result.get(ModelExport.OUTPUT_CLASS).orElseThrow()));
    }
  }

  /** The name of each class, the class number being the index. */
  public List<String> classNames() {
    return classNames;
  }

  /** Every signature as the SavedModel stores it (inputs, outputs, method), by name. */
  public Map<String, SignatureDef> signatures() {
    return bundle.metaGraphDef().getSignatureDefMap();
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
    return Evaluation.classify(set, Evaluation.TEST_BATCH_SIZE, this::classes);
  }

  /** The model's session, for fetching its named tensors. */
  public Session session() {
    return bundle.session();
  }

  @Override
  public void close() {
    bundle.close();
  }
}
