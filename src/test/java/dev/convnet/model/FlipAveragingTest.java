package dev.convnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageInput;
import dev.convnet.data.ImageSet;
import dev.convnet.data.Split;
import dev.convnet.results.Evaluation;
import dev.convnet.savedmodel.ModelExport;
import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.testing.Configs;
import dev.convnet.testing.FastStepNets;
import dev.convnet.testing.SyntheticData;
import dev.convnet.train.Trainer;
import dev.convnet.train.TrainingGraph;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.op.Ops;

/**
 * Flip averaging is one function: the mean of the notebook's probabilities on each image and on its
 * mirror, in the run's evaluation and in both signatures of the export.
 */
class FlipAveragingTest {
  @TempDir Path tmp;

  private static float[] mirrored(float[] images, int n) {
    float[] out = new float[images.length];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          out[i * 784 + r * 28 + c] = images[i * 784 + r * 28 + 27 - c];
        }
      }
    }
    return out;
  }

  private static int[] argMax(float[] p, int n) {
    int[] classes = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 1; j < 10; j++) {
        if (p[i * 10 + j] > p[i * 10 + classes[i]]) {
          classes[i] = j;
        }
      }
    }
    return classes;
  }

  @Test
  void evaluationAndBothSignaturesAverageTheImageAndItsMirror() throws Exception {
    Split split = SyntheticData.split(640, 64, 128, 5);
    int n = 64;
    Path exported = tmp.resolve("saved_model");
    float[] images = split.test().images(ImageSet.range(0, n));
    float[] expected = new float[n * 10];
    int[] byTrainer;
    try (TrainingGraph graph =
        FastStepNets.graph(Configs.constant(64, 1e-3f, 5).withFlipAverage(true))) {
      ConvNet net = graph.net;
      Trainer trainer = new Trainer(graph, split, line -> {});
      trainer.optimize(30);
      float[] plain = net.evaluate(net.yPred, images, n);
      float[] mirror = net.evaluate(net.yPred, mirrored(images, n), n);
      for (int k = 0; k < expected.length; k++) {
        expected[k] = (plain[k] + mirror[k]) / 2;
      }
      Ops tf = Ops.create(net.graph);
      float[] inGraph =
          net.evaluate(
              FlipAveraging.probabilities(
                  tf,
                  net.trainableVariables,
                  net.xImage,
                  net.config,
                  Layers.predictionConvolution(net.device)),
              images,
              n);
      assertArrayEquals(expected, inGraph, 1e-6f);
      Evaluation evaluation = trainer.evaluate(split.test());
      byTrainer = evaluation.predicted();
      assertArrayEquals(argMax(expected, n), java.util.Arrays.copyOf(byTrainer, n));
      // The mirror's view moves the probabilities, or the test would show nothing.
      double moved = 0;
      for (int k = 0; k < expected.length; k++) {
        moved = Math.max(moved, Math.abs(expected[k] - plain[k]));
      }
      assertTrue(moved > 1e-3, "the mirror changed the probabilities by " + moved);
      ModelExport.export(net, exported, FashionMnist.LABELS, true);
    }
    try (SavedModelClassifier model = SavedModelClassifier.load(exported)) {
      assertArrayEquals(expected, model.probabilities(images, n), 1e-6f);
      assertArrayEquals(byTrainer, model.evaluate(split.test()).predicted());
      List<byte[]> files = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < 784; p++) {
          grey.getRaster().setSample(p % 28, p / 28, 0, Math.round(images[i * 784 + p] * 255));
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(grey, "png", png);
        files.add(png.toByteArray());
      }
      // The files, prepared by predict's Java path, through the averaged serving_default.
      SavedModelClassifier.Outputs fromFiles = model.predictFiles(files);
      float[] prepared = new float[images.length];
      for (int i = 0; i < n; i++) {
        float[] pixels = ImageInput.read(files.get(i), "file " + i).pixels();
        System.arraycopy(pixels, 0, prepared, i * 784, 784);
      }
      assertArrayEquals(model.probabilities(prepared, n), fromFiles.probabilities(), 1e-5f);
      assertEquals(n, fromFiles.classes().length);
    }
  }
}
