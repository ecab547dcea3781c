package dev.convnet.train;

import dev.convnet.model.ConvNet;
import dev.convnet.model.StepRunner;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TInt64;

/**
 * How one optimization iteration is computed: the notebook's In [31] ({@link #notebook}), or {@link
 * FastCpuStep}, the same Adam update computed faster on a CPU. {@link TrainingGraph} chooses, once.
 */
public interface TrainingStep {
  /** Which step a run asks for ({@code train --step}). */
  enum Kind {
    /** In [31] as the notebook writes it: Adam's minimize, gradients by addGradients. */
    NOTEBOOK,
    /** {@link FastCpuStep} where it applies (a CPU and the notebook's layers), else NOTEBOOK. */
    FAST;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One Adam step on {@code batch} at {@code rate}, traced into {@code trace} unless null. */
  StepRunner.StepResult run(StepRunner.Batch batch, float rate, RunMetadata.Builder trace);

  /** The predicted class of each of {@code n} images, as fast as this step's threads allow. */
  long[] predictClasses(float[] images, int n);

  /** A few words for the run's header, such as "the notebook's step (...)". */
  String describe();

  /**
   * The notebook's step: In [31]'s {@code optimizer}, fetching In [30]'s cost, In [33]'s accuracy.
   */
  static TrainingStep notebook(ConvNet net) {
    Operand<TInt64> predictions = net.predictedClasses();
    return new TrainingStep() {
      @Override
      public StepRunner.StepResult run(
          StepRunner.Batch batch, float rate, RunMetadata.Builder trace) {
        return StepRunner.run(net, net.notebookStep(), batch, rate, trace);
      }

      @Override
      public long[] predictClasses(float[] images, int n) {
        return net.classesOf(predictions, images, n);
      }

      @Override
      public String describe() {
        return "the notebook's step (In [31], gradients by addGradients)";
      }
    };
  }
}
