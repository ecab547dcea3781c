package dev.convnet.savedmodel;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.FileTrees;
import dev.convnet.model.ConvNet;
import dev.convnet.model.InferenceGraph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes a trained network as a SavedModel that TensorFlow Serving, Python's {@code
 * tf.saved_model.load} or TensorFlow Java can serve: tag "serve", signature "serving_default" from
 * {@code x} to {@code probabilities} and {@code class}, and signature "serving_images" from encoded
 * image files ({@code image_bytes}) to the same outputs.
 *
 * <p>The model alone: the forward pass is built again in a fresh graph ({@link InferenceGraph}) and
 * the trained weights are copied into it, so no optimizer state, gradient or training op ships
 * (those stay in the run's checkpoint). Attributes at their op's default value are left out of the
 * graph, as TensorFlow's own SavedModel builders do, so that older TensorFlow versions, which do
 * not know attributes added since, load it too.
 */
public final class ModelExport {
  public static final String TAG = "serve";
  public static final String SIGNATURE_KEY = "serving_default";

  /** TensorFlow Java leaves the method name empty; Serving's predict API wants this one. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  public static final String INPUT = "x";

  /** The second signature: encoded image files in, decoded and prepared inside the graph. */
  public static final String IMAGES_SIGNATURE_KEY = "serving_images";

  /** Its input: a batch of image files as strings ({@code {"b64": ...}} in TensorFlow Serving). */
  public static final String IMAGES_INPUT = "image_bytes";

  public static final String OUTPUT_PROBABILITIES = "probabilities";
  public static final String OUTPUT_CLASS = "class";

  /** The class's name, a string, so that any server answers names as well as numbers. */
  public static final String OUTPUT_CLASS_NAME = "class_name";

  /**
   * The model's name where a name is needed before anyone chose one: in the warm-up records the
   * export writes, and as the name {@code serve} serves it under by default.
   */
  public static final String MODEL_NAME = "fashion";

  /** The file that makes a folder a SavedModel. */
  public static final String SAVED_MODEL_FILE = "saved_model.pb";

  private ModelExport() {}

  /** A predict signature: one input; the probabilities, the class and its name out. */
  private static Signature signature(
      String key,
      String inputName,
      Operand<?> input,
      Operand<TFloat32> probabilities,
      Operand<TInt64> classes,
      Operand<TString> names) {
    return Signature.builder()
        .key(key)
        .methodName(PREDICT_METHOD)
        .input(inputName, input)
        .output(OUTPUT_PROBABILITIES, probabilities)
        .output(OUTPUT_CLASS, classes)
        .output(OUTPUT_CLASS_NAME, names)
        .build();
  }

  /**
   * Exports {@code net}, trained on Fashion-MNIST, into {@code dir}, which must not exist or be
   * empty (the exporter would mix files).
   */
  public static void export(ConvNet net, Path dir) {
    export(net, dir, FashionMnist.LABELS, false);
  }

  /**
   * Exports {@code net}, which tells the classes {@code classNames} apart, into {@code dir}; with
   * {@code flipAverage} both signatures average each image's probabilities with its mirror's, as
   * the run's evaluation did ({@code FlipAveraging}).
   */
  public static void export(ConvNet net, Path dir, List<String> classNames, boolean flipAverage) {
    Path weights = null;
    try {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> entries = Files.list(dir)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalStateException(dir + " already holds files; export into a new folder");
          }
        }
      }
      Files.createDirectories(dir);
      // The trained values travel by a checkpoint: the fresh graph's variables have the same names.
      weights = Files.createTempDirectory("convnet-export");
      net.session.save(weights.resolve("weights").toString());
      try (InferenceGraph model = new InferenceGraph(net.config, flipAverage, classNames)) {
        model.session.restore(weights.resolve("weights").toString());
        Signature signature =
            signature(SIGNATURE_KEY, INPUT, model.x, model.yPred, model.yPredCls, model.yPredName);
        Signature images =
            signature(
                IMAGES_SIGNATURE_KEY,
                IMAGES_INPUT,
                model.imageBytes,
                model.imagesPred,
                model.imagesPredCls,
                model.imagesPredName);
        SavedModelBundle.exporter(dir.toString())
            .withTags(TAG)
            .withSession(model.session)
            .withSignature(signature)
            .withSignature(images)
            .export();
      }
      stripDefaultAttributes(dir.resolve(SAVED_MODEL_FILE));
      Warmup.write(dir, MODEL_NAME, Warmup.requests());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot export the model to " + dir + ": " + e.getMessage(), e);
    } finally {
      if (weights != null) {
        FileTrees.delete(weights);
      }
    }
  }

  /**
   * Removes from every node of the SavedModel's graph the attributes whose value is their op's
   * default (TensorFlow's {@code strip_default_attrs}).
   */
  static void stripDefaultAttributes(Path savedModelFile) throws IOException {
    Map<String, OpDef> ops = new HashMap<>();
    for (OpDef op : TensorFlow.registeredOpList().getOpList()) {
      ops.put(op.getName(), op);
    }
    SavedModel.Builder savedModel =
        SavedModel.parseFrom(Files.readAllBytes(savedModelFile)).toBuilder();
    for (MetaGraphDef.Builder metaGraph : savedModel.getMetaGraphsBuilderList()) {
      GraphDef.Builder graph = metaGraph.getGraphDefBuilder();
      for (NodeDef.Builder node : graph.getNodeBuilderList()) {
        OpDef op = ops.get(node.getOp());
        if (op == null) {
          continue;
        }
        for (OpDef.AttrDef attr : op.getAttrList()) {
          AttrValue value = node.getAttrMap().get(attr.getName());
          if (attr.hasDefaultValue() && attr.getDefaultValue().equals(value)) {
            node.removeAttr(attr.getName());
          }
        }
      }
    }
    Files.write(savedModelFile, savedModel.build().toByteArray());
  }

  /**
   * Refuses {@code base} as a base path of numbered versions before any work: it must be a folder,
   * or not exist yet (it is made at the first version).
   */
  public static void checkBasePath(Path base) {
    if (Files.exists(base) && !Files.isDirectory(base)) {
      throw new dev.convnet.common.InvalidSettingException(
          "exportBase", "{exportBase} " + base + " is a file; give a folder of numbered versions");
    }
  }

  /**
   * Copies the SavedModel {@code savedModel} into {@code base} as its next numbered version, as
   * TensorFlow Serving's base path holds them ({@code base/1}, {@code base/2}, ...): written under
   * a temporary name and renamed, so that a server polling {@code base} never sees half a version.
   * Returns the version's number.
   */
  public static long publishVersion(Path savedModel, Path base) {
    checkBasePath(base);
    try {
      Files.createDirectories(base);
      var versions = versionFolders(base);
      long next = versions.isEmpty() ? 1 : versions.lastKey() + 1;
      Path temporary = Files.createTempDirectory(base, ".incoming-" + next + "-");
      try (Stream<Path> files = Files.walk(savedModel)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Path target = temporary.resolve(savedModel.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(target);
          } else {
            Files.copy(file, target);
          }
        }
      }
      Files.move(temporary, base.resolve(Long.toString(next)), StandardCopyOption.ATOMIC_MOVE);
      return next;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write a version into " + base + ": " + e.getMessage(), e);
    }
  }

  /**
   * The numbered version folders of {@code base}, by number, as TensorFlow Serving reads a base
   * path: other names are not versions.
   */
  public static TreeMap<Long, Path> versionFolders(Path base) throws IOException {
    TreeMap<Long, Path> versions = new TreeMap<>();
    try (Stream<Path> entries = Files.list(base)) {
      entries
          .filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("\\d{1,18}"))
          .forEach(p -> versions.put(Long.parseLong(p.getFileName().toString()), p));
    }
    return versions;
  }
}
