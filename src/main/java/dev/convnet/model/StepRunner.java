package dev.convnet.model;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;

/**
 * Runs one training step of a {@link ConvNet}: feeds a batch and the learning rate, runs the step's
 * optimizer op and fetches the batch's cost and accuracy. The notebook's step ({@link
 * ConvNet#notebookStep}) and any step built onto the network's graph run this way.
 */
public final class StepRunner {
  private StepRunner() {}

  /** The cost and accuracy that a training step's forward pass computed. */
  public record StepResult(float cost, float accuracy) {}

  /** A batch of {@code n} flat images and their one-hot labels (arrays may be longer). */
  public record Batch(float[] images, float[] labels, int n) {}

  /** What one training step runs: its optimizer op and the batch's cost and accuracy it fetches. */
  public record StepOps(Op optimizer, Operand<TFloat32> cost, Operand<TFloat32> accuracy) {}

  /**
   * Runs {@code step} on {@code net} for {@code batch} at learning rate {@code rate}, tracing the
   * ops it runs into {@code trace} when it is not null. The model's dropout applies in training
   * steps only.
   */
  public static StepResult run(
      ConvNet net, StepOps step, Batch batch, float rate, RunMetadata.Builder trace) {
    int n = batch.n();
    float dropout = net.config.dropout();
    try (TFloat32 xs = Tensors.images(batch.images(), n);
        TFloat32 ys = Tensors.matrix(batch.labels(), n, net.config.numClasses());
        TFloat32 lr = TFloat32.scalarOf(rate);
        // Without dropout the placeholder's default, 0, holds: no tensor to make each step.
        TFloat32 drop = dropout > 0 ? TFloat32.scalarOf(dropout) : null) {
      Session.Runner runner =
          net.session
              .runner()
              .feed(net.x, xs)
              .feed(net.yTrue, ys)
              .feed(net.learningRate, lr)
              .addTarget(step.optimizer())
              .fetch(step.cost())
              .fetch(step.accuracy());
      if (drop != null) {
        runner.feed(net.dropoutRate, drop);
      }
      if (trace != null) {
        runner.setOptions(
            RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.SOFTWARE_TRACE).build());
      }
      try (Result result = trace == null ? runner.run() : runner.runAndFetchMetadata()) {
        if (trace != null) {
          result.getMetadata().ifPresent(trace::mergeFrom);
        }
        return new StepResult(
            ((TFloat32) result.get(0)).getFloat(), ((TFloat32) result.get(1)).getFloat());
      }
    }
  }
}
