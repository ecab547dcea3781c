package examples;

import dev.convnet.api.Data;
import dev.convnet.api.Training;
import dev.convnet.model.Layers;
import dev.convnet.model.ModelConfig;
import dev.convnet.run.RunResult;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingProgress;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A variant of the notebook's network: first its layers built by hand with the notebook's helpers
 * (In [7]-[11]) to see their shapes, then the same variant trained briefly on Fashion-MNIST:
 * VariantNetwork RUN_DIR [ITERATIONS].
 */
public final class VariantNetwork {
  public static void main(String[] args) {
    long iterations = args.length > 1 ? Long.parseLong(args[1]) : 300;
    // begin helpers
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Layers layers = new Layers(tf, 42);
      Operand<TFloat32> images = tf.placeholder(TFloat32.class);
      Operand<TFloat32> x = tf.reshape(images, tf.constant(new long[] {-1, 28, 28, 1}));
      // Three convolutions where the notebook has two, the third like the second (exercise 7).
      Layers.ConvLayer conv1 = layers.newConvLayer(x, 1, 5, 16, true);
      Layers.ConvLayer conv2 = layers.newConvLayer(conv1.layer(), 16, 5, 36, true);
      Layers.ConvLayer conv3 = layers.newConvLayer(conv2.layer(), 36, 5, 36, true);
      Layers.FlatLayer flat = layers.flattenLayer(conv3.layer());
      Operand<TFloat32> fc1 = layers.newFcLayer(flat.layer(), flat.numFeatures(), 128, true);
      Operand<TFloat32> logits = layers.newFcLayer(fc1, 128, 10, false);
      System.out.println("features after three convolutions: " + flat.numFeatures());
      System.out.println("logits: " + logits.shape());
    }
    // end helpers
    // begin variant
    ModelConfig threeConvolutions = ModelConfig.notebook().withConvLayers(3);
    RunResult result =
        Training.run(
            Training.fresh(
                threeConvolutions,
                TrainConfig.DEFAULT.withLength(TrainConfig.Length.iterations(iterations)),
                Path.of(args[0])),
            Data.fashionMnist(),
            TrainingProgress.lines(System.out));
    System.out.println(
        threeConvolutions.describe() + ": test accuracy " + result.testPercent());
    // end variant
  }
}
