package dev.convnet.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.ImageInput;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Layers;
import dev.convnet.model.Tensors;
import dev.convnet.testing.Configs;
import dev.convnet.testing.FastStepNets;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/** The SavedModel holds the model alone: the forward pass and the trained weights. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelExportTest {
  @TempDir static Path tmp;
  private Path exported;
  private long[] trainedClasses;
  private float[] images;
  private long parameters;

  @BeforeAll
  void trainWithTheFastStepAndExport() {
    Split split = SyntheticData.split(640, 64, 128, 4);
    try (TrainingGraph graph = FastStepNets.graph(Configs.constant(64, 1e-3f, 3))) {
      ConvNet net = graph.net;
      Trainer trainer = new Trainer(graph, split, line -> {});
      trainer.optimize(30);
      images = split.test().images(ImageSet.range(0, 128));
      trainedClasses = graph.step.predictClasses(images, 128); // as evaluation classifies
      parameters = net.parameterCount();
      exported = tmp.resolve("saved_model");
      ModelExport.export(net, exported);
    }
  }

  private List<NodeDef> nodes() throws Exception {
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(exported.resolve("saved_model.pb")));
    return model.getMetaGraphs(0).getGraphDef().getNodeList();
  }

  @Test
  void theGraphHasNoOptimizerGradientOrTowerOp() throws Exception {
    List<NodeDef> nodes = nodes();
    assertTrue(nodes.stream().anyMatch(n -> n.getOp().equals("Conv2D")), "the forward pass");
    Map<String, NodeDef> byName = new HashMap<>();
    nodes.forEach(n -> byName.put(n.getName(), n));
    int filterGradients = 0;
    for (NodeDef node : nodes) {
      String type = node.getOp();
      assertFalse(type.startsWith("Apply"), node.getName() + " is " + type);
      assertFalse(type.endsWith("Grad"), node.getName() + " is " + type);
      if (type.equals("Conv2DBackpropFilter")) {
        // The forward pass's second convolution (Layers.CPU_PREDICTION_CONVOLUTION): its "output
        // gradient" is the layer's filters, transposed, not a gradient of anything.
        NodeDef filters = byName.get(node.getInput(2));
        assertEquals("Transpose", filters.getOp(), node.getName() + "'s filters");
        assertEquals("VariableV2", byName.get(filters.getInput(0)).getOp(), filters.getName());
        filterGradients++;
      } else {
        assertFalse(type.contains("Backprop"), node.getName() + " is " + type);
      }
      assertFalse(node.getName().contains("tower"), node.getName());
      assertFalse(node.getName().startsWith("adam"), node.getName());
      assertFalse(node.getName().startsWith("fast_step"), node.getName());
    }
    // One second convolution for pixels (x), one for image files (serving_images).
    assertEquals(
        Layers.CPU_PREDICTION_CONVOLUTION == Layers.Convolution.AS_FILTER_GRADIENT ? 2 : 0,
        filterGradients);
  }

  @Test
  void theVariablesHoldTheWeightsAlone() throws Exception {
    long bytes;
    try (Stream<Path> files = Files.list(exported.resolve("variables"))) {
      bytes =
          files
              .filter(f -> f.getFileName().toString().startsWith("variables.data"))
              .mapToLong(f -> f.toFile().length())
              .sum();
    }
    // 4 bytes a float; Adam's two moments would triple it.
    assertTrue(bytes >= 4 * parameters && bytes < 4 * parameters * 1.05, bytes + " bytes");
  }

  @Test
  void attributesAtTheirDefaultAreLeftOut() throws Exception {
    NodeDef matMul =
        nodes().stream().filter(n -> n.getOp().equals("MatMul")).findFirst().orElseThrow();
    // TensorFlow 2.4 refuses a MatMul that names grad_a or grad_b (added later, default false).
    assertFalse(matMul.containsAttr("grad_a"), matMul.toString());
    assertFalse(matMul.containsAttr("grad_b"), matMul.toString());
    assertTrue(matMul.containsAttr("T"), "an attribute without a default stays");
  }

  @Test
  void theImageSignaturePreparesPngFilesAsPredictDoes() throws Exception {
    int n = 64;
    byte[][] files = new byte[n][];
    for (int i = 0; i < n; i++) {
      files[i] = png(images, i);
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(exported.toString(), ModelExport.TAG);
        TString input = TString.tensorOfBytes(NdArrays.vectorOfObjects(files));
        Result r =
            bundle
                .function(ModelExport.IMAGES_SIGNATURE_KEY)
                .call(java.util.Map.of(ModelExport.IMAGES_INPUT, input))) {
      // What predict makes of each file (a light border is inverted, as here for class 0).
      float[] prepared = new float[n * 784];
      for (int i = 0; i < n; i++) {
        System.arraycopy(
            ImageInput.read(files[i], "image " + i).pixels(), 0, prepared, i * 784, 784);
      }
      float[] probabilities =
          Tensors.floats((TFloat32) r.get(ModelExport.OUTPUT_PROBABILITIES).orElseThrow());
      float[] expected;
      try (TFloat32 x = Tensors.images(prepared, n);
          Result direct =
              bundle
                  .function(ModelExport.SIGNATURE_KEY)
                  .call(java.util.Map.of(ModelExport.INPUT, x))) {
        expected =
            Tensors.floats((TFloat32) direct.get(ModelExport.OUTPUT_PROBABILITIES).orElseThrow());
      }
      assertArrayEquals(expected, probabilities, 0f, "28x28 grey PNGs: the very same pixels");
      assertTrue(
          java.util.stream.IntStream.range(0, n)
              .anyMatch(i -> prepared[i * 784] != images[i * 784]),
          "some files were inverted, in the graph as in predict");
    }
  }

  /** Image {@code i} of {@code images} as a grey 28x28 PNG file, pixels rounded to bytes. */
  private static byte[] png(float[] images, int i) throws java.io.IOException {
    var image =
        new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int p = 0; p < 784; p++) {
      image.getRaster().setSample(p % 28, p / 28, 0, Math.round(images[i * 784 + p] * 255));
    }
    var out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  @Test
  void anIndependentLoaderPredictsWhatTheTrainedNetworkDid() {
    try (SavedModelBundle bundle = SavedModelBundle.load(exported.toString(), ModelExport.TAG);
        TFloat32 x = Tensors.images(images, 128);
        Result r =
            bundle
                .session()
                .runner()
                .feed(ConvNet.X_NAME, x)
                .fetch("y_pred_cls")
                .fetch(ConvNet.WEIGHTS_CONV1)
                .run()) {
      assertArrayEquals(trainedClasses, Tensors.longs((TInt64) r.get(0)));
      assertEquals(5 * 5 * 16, Tensors.floats((TFloat32) r.get(1)).length, "figures' names kept");
    }
  }
}
