package dev.convnet.train;

import dev.convnet.model.AdamOptimizer;
import dev.convnet.model.ConvNet;
import dev.convnet.model.Device;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.StepRunner;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The notebook's training step (In [31]: one Adam step on the batch's mean cross-entropy) computed
 * faster on a CPU, built onto a {@link ConvNet}'s placeholders, variables and Adam state:
 *
 * <ul>
 *   <li>Towers: each batch is cut into one share per tower (the net's {@code threads.towers()}, one
 *       per core on a small CPU); each share's gradients are computed on its own core, added in
 *       tower order, and one Adam applies them, so a seeded run repeats bit for bit.
 *   <li>The gradients come from {@link ExplicitBackward}, the backward pass written out op by op so
 *       that oneDNN runs its fastest kernels.
 * </ul>
 *
 * A batch smaller than the towers (a last batch of one image) takes the notebook's own step, which
 * advances the same Adam state. Predictions go through the towers too, each the network's {@link
 * ConvNet#predictedClasses} on its share. FastCpuStepTest holds it equal to the notebook's step.
 */
public final class FastCpuStep implements TrainingStep {
  private final ConvNet net;
  private final int towers;
  private final StepRunner.StepOps step;
  private final List<Operand<TFloat32>> gradients;
  private final Operand<TInt64> predictions;

  /** The classes of a batch smaller than the towers, on the whole network. */
  private final Operand<TInt64> wholeBatchPredictions;

  /** Whether the step applies: on a CPU, for the notebook's layer structure at any sizes. */
  public static boolean supports(ModelConfig config, String device) {
    return device.equals(Device.CPU_NAME) && ExplicitBackward.supports(config);
  }

  /**
   * Adds the step's ops to {@code net}'s graph; {@code net.threads.towers()} says how many. Built
   * by {@link TrainingGraph}, before the graph is initialised.
   */
  FastCpuStep(ConvNet net) {
    if (!supports(net.config, net.device)) {
      throw new IllegalArgumentException("no fast step for " + net.config + " on " + net.device);
    }
    this.net = net;
    this.towers = net.threads.towers();
    ExplicitBackward.Parameters parameters = ExplicitBackward.Parameters.of(net.layerVariables);
    if (!parameters.inOrder().equals(net.trainableVariables)) {
      throw new IllegalStateException("the layers' variables are not the ones Adam trains");
    }
    Ops tf = Ops.create(net.graph).withSubScope("fast_step");
    Operand<TInt32> n = tf.squeeze(tf.shape.size(tf.shape(net.x), tf.constant(0)));
    Operand<TFloat32> batchSize = tf.dtypes.cast(n, TFloat32.class);
    // Each tower's gradients are of its cost sum over the whole batch's size.
    Operand<TFloat32> perImage = tf.math.reciprocal(batchSize);
    List<Operand<TFloat32>> images = shares(tf, net.xImage, n);
    List<Operand<TFloat32>> labels = shares(tf, net.yTrue, n);
    List<Operand<TFloat32>> costSums = new ArrayList<>();
    List<Operand<TFloat32>> correctSums = new ArrayList<>();
    List<Operand<TInt64>> towerPredictions = new ArrayList<>();
    List<List<Operand<TFloat32>>> towerGradients = new ArrayList<>();
    for (int t = 0; t < towers; t++) {
      Ops tower = tf.withSubScope("tower" + t);
      ExplicitBackward.Tower share =
          ExplicitBackward.tower(
              tower, parameters, images.get(t), labels.get(t), perImage, net.config.poolFirst());
      costSums.add(share.costSum());
      correctSums.add(share.correctSum());
      towerGradients.add(share.gradients());
      if (towers > 1) {
        towerPredictions.add(net.predictedClasses(tower, images.get(t)));
      }
    }
    List<Operand<TFloat32>> total = new ArrayList<>();
    for (int v = 0; v < net.trainableVariables.size(); v++) {
      List<Operand<TFloat32>> terms = new ArrayList<>();
      for (List<Operand<TFloat32>> tower : towerGradients) {
        terms.add(tower.get(v));
      }
      total.add(sum(tf, terms));
    }
    AdamOptimizer.Step adam = net.adam.apply("fast_step", total, net.learningRate);
    Op optimizer = adam.op();
    gradients = adam.gradients();
    step =
        new StepRunner.StepOps(
            optimizer,
            tf.withName("cost").math.div(sum(tf, costSums), batchSize),
            tf.withName("accuracy").math.div(sum(tf, correctSums), batchSize));
    wholeBatchPredictions = net.predictedClasses();
    predictions = towers == 1 ? wholeBatchPredictions : tf.concat(towerPredictions, tf.constant(0));
  }

  @Override
  public StepRunner.StepResult run(StepRunner.Batch batch, float rate, RunMetadata.Builder trace) {
    // A share of no images is refused by oneDNN's kernels: such a batch takes In [31]'s step.
    return StepRunner.run(net, batch.n() >= towers ? step : net.notebookStep(), batch, rate, trace);
  }

  @Override
  public long[] predictClasses(float[] images, int n) {
    return net.classesOf(n >= towers ? predictions : wholeBatchPredictions, images, n);
  }

  @Override
  public String describe() {
    return "the fast step ("
        + towers
        + (towers == 1 ? " tower" : " towers")
        + ", written-out backward pass)";
  }

  /** The whole batch's gradient for each trainable variable, as the towers add them up. */
  public List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /** {@code batch} cut along its first axis into one share per tower, the last taking the rest. */
  private List<Operand<TFloat32>> shares(Ops tf, Operand<TFloat32> batch, Operand<TInt32> n) {
    if (towers == 1) {
      return List.of(batch);
    }
    Operand<TInt32> share = tf.math.div(n, tf.constant(towers));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int t = 0; t < towers - 1; t++) {
      sizes.add(share);
    }
    sizes.add(tf.math.sub(n, tf.math.mul(share, tf.constant(towers - 1))));
    return new ArrayList<>(
        tf.splitV(batch, tf.stack(sizes), tf.constant(0), (long) towers).output());
  }

  private static Operand<TFloat32> sum(Ops tf, List<Operand<TFloat32>> terms) {
    return terms.size() == 1 ? terms.get(0) : tf.math.addN(terms);
  }
}
