package dev.convnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.data.ImageSet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.Tensors;
import dev.convnet.testing.SyntheticData;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * The whitened first convolution: its filters' responses to the images' patches are uncorrelated
 * and of one size, each filter comes with its negative, and a fresh run starts from them, its
 * weights' average included.
 */
class PatchWhiteningTest {
  private static final ImageSet IMAGES = SyntheticData.patterns(300, 7);

  @Test
  void theFiltersResponsesToThePatchesAreUncorrelatedAndOfOneSize() {
    int size = 5;
    int count = 16;
    int pairs = count / 2;
    int taps = size * size;
    float[] w = PatchWhitening.filters(IMAGES, size, count);
    double[][] moments = PatchWhitening.patchMoments(IMAGES, size);
    double[][] vectors = new double[taps][taps];
    double[] values = PatchWhitening.eigen(copy(moments), vectors);
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    for (int f = 0; f < pairs; f++) {
      for (int g = 0; g < pairs; g++) {
        double response = 0;
        double magnitude = 0;
        for (int a = 0; a < taps; a++) {
          for (int b = 0; b < taps; b++) {
            double term = w[a * count + f] * moments[a][b] * w[b * count + g];
            response += term;
            magnitude += Math.abs(term);
          }
        }
        // The filters are stored as floats, each weight within 2^-24 of its double: each product
        // w_a * m_ab * w_b moves by at most 2^-23 of itself, so the sum by 2^-23 of the sum of
        // their magnitudes. The rest is double arithmetic in plain Java (the same bits on every
        // CPU): the Jacobi sweeps stop at an off-diagonal mass of 1e-24 of the whole, which moves
        // a response by far less than the 1e-12 added.
        double error = Math.scalb(magnitude, -23) + 1e-12;
        double lambda = sorted[taps - 1 - f];
        double expected =
            f == g
                ? PatchWhitening.SCALE
                    * PatchWhitening.SCALE
                    * lambda
                    / (lambda + PatchWhitening.EPSILON)
                : 0;
        assertEquals(expected, response, error, "filters " + f + " and " + g);
      }
      for (int t = 0; t < taps; t++) {
        assertEquals(-w[t * count + f], w[t * count + f + pairs], "filter " + (f + pairs));
      }
    }
  }

  @Test
  void aFreshRunStartsFromTheWhitenedFiltersAndSoDoesItsAverage() {
    TrainConfig config = TrainConfig.FAST.withBatchSize(32);
    assertTrue(config.whitenFirst(), "the fast recipe whitens");
    float[] expected = PatchWhitening.filters(IMAGES, 5, 16);
    try (TrainingGraph graph =
        TrainingGraph.build(
            ModelConfig.notebook(), config, TrainingStep.Kind.FAST, Device.CPU_NAME)) {
      graph.initialize();
      assertNotEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(conv1(graph)));
      double seconds = graph.initialize(IMAGES);
      assertTrue(seconds > 0, "the whitening's time counts as training time");
      assertArrayEquals(expected, conv1(graph));
      graph.average.copyIntoWeights(); // the average starts at the whitened filters too
      assertArrayEquals(expected, conv1(graph));
    }
    try (TrainingGraph plain =
        TrainingGraph.build(
            ModelConfig.notebook(),
            config.withWhitenFirst(false),
            TrainingStep.Kind.FAST,
            Device.CPU_NAME)) {
      assertEquals(0.0, plain.initialize(IMAGES), "nothing to time without whitening");
      assertNotEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(conv1(plain)));
    }
  }

  private static float[] conv1(TrainingGraph graph) {
    try (Result r = graph.net.session.runner().fetch(graph.net.weightsConv1).run()) {
      return Tensors.floats((TFloat32) r.get(0));
    }
  }

  private static double[][] copy(double[][] m) {
    double[][] out = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i].clone();
    }
    return out;
  }
}
