package dev.convnet.train;

import dev.convnet.data.ImageSet;
import dev.convnet.model.ConvNet;
import dev.convnet.model.FlipAveraging;
import dev.convnet.model.Layers;
import dev.convnet.model.ModelConfig;
import dev.convnet.model.ThreadPolicy;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * Everything a run trains and evaluates, assembled in one place and finished before it is
 * initialised, in this order: the notebook's network (In [12]-[35], {@link ConvNet}); the training
 * step, chosen once (the notebook's In [31], or {@link FastCpuStep} where it applies); the weights'
 * moving average ({@link WeightAverage}) when the settings ask for one; the class of each image
 * averaged with its mirror's ({@link FlipAveraging}) when they ask for that. The {@link Trainer}
 * runs it and adds nothing.
 */
public final class TrainingGraph implements AutoCloseable {
  /** In [12]-[35]. */
  public final ConvNet net;

  /** How each iteration is computed. */
  public final TrainingStep step;

  /** The settings the graph was built for. */
  public final TrainConfig training;

  /** With {@code training.averageDecay() > 0}, else null. */
  final WeightAverage average;

  /** With {@code training.flipAverage()}, the class by image and mirror, else null. */
  final Operand<TInt64> flipAveragedClasses;

  private TrainingGraph(ConvNet net, TrainingStep step, TrainConfig training) {
    this.net = net;
    this.step = step;
    this.training = training;
    this.average =
        training.averageDecay() > 0 ? new WeightAverage(net, training.averageDecay()) : null;
    Ops tf = Ops.create(net.graph);
    this.flipAveragedClasses =
        training.flipAverage()
            ? FlipAveraging.classes(
                tf,
                FlipAveraging.probabilities(
                    tf,
                    net.trainableVariables,
                    net.xImage,
                    net.config,
                    Layers.predictionConvolution(net.device)))
            : null;
  }

  /**
   * The graph that trains {@code model} with {@code training} on {@code device}, by a step of
   * {@code kind}: the fast step takes one tower a core where it applies, the notebook's the whole
   * batch.
   */
  public static TrainingGraph build(
      ModelConfig model, TrainConfig training, TrainingStep.Kind kind, String device) {
    return build(model, training, kind, device, ThreadPolicy.towerPerCore());
  }

  /**
   * As {@link #build(ModelConfig, TrainConfig, TrainingStep.Kind, String)}, with {@code towers}.
   */
  public static TrainingGraph build(
      ModelConfig model,
      TrainConfig training,
      TrainingStep.Kind kind,
      String device,
      ThreadPolicy towers) {
    boolean fast = kind == TrainingStep.Kind.FAST && FastCpuStep.supports(model, device);
    ConvNet net =
        new ConvNet(model, training.seed(), device, fast ? towers : ThreadPolicy.wholeBatch());
    return new TrainingGraph(
        net, fast ? new FastCpuStep(net) : TrainingStep.notebook(net), training);
  }

  /**
   * The notebook's own step on a network built as the notebook builds it (the guide, In [12]-[35]),
   * for settings that add nothing to it: no average, no flips.
   */
  public static TrainingGraph notebook(ConvNet net, TrainConfig training) {
    if (training.averageDecay() > 0 || training.flipAverage()) {
      throw new IllegalArgumentException(
          "averaged weights and flips are built with the graph: use TrainingGraph.build");
    }
    return new TrainingGraph(net, TrainingStep.notebook(net), training);
  }

  /** In [35]: every variable's initial value, and the average started at the weights. */
  public void initialize() {
    net.initialize();
    if (average != null) {
      average.reset();
    }
  }

  /**
   * A fresh run's start: {@link #initialize()}, with the first convolution's filters whitened on
   * {@code train}'s patches when the settings ask ({@link PatchWhitening}) and the average started
   * there. Returns the seconds the whitening took, which count as training time.
   */
  public double initialize(ImageSet train) {
    initialize();
    if (!training.whitenFirst()) {
      return 0;
    }
    long start = System.nanoTime();
    PatchWhitening.apply(net, train);
    if (average != null) {
      average.reset();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** In [60]: releases the session and the graph. */
  @Override
  public void close() {
    net.close();
  }
}
