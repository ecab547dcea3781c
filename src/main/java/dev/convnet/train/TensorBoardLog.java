package dev.convnet.train;

import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * TensorBoard event files ({@code events.out.tfevents.*.v2}) written by TensorFlow's own summary
 * ops, in a small graph of their own so the exported model carries none of them.
 */
public final class TensorBoardLog implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> value;
  private final Op write;
  private final Op flush;
  private final Op closeWriter;

  /** Opens a writer that appends event files to {@code dir} (created by TensorFlow if missing). */
  public TensorBoardLog(Path dir) {
    Ops tf = Ops.create(graph);
    SummaryWriter writer = tf.summary.summaryWriter();
    Op create =
        tf.summary.createSummaryFileWriter(
            writer,
            tf.constant(dir.toAbsolutePath().toString()),
            tf.constant(10),
            tf.constant(5_000),
            tf.constant(".v2"));
    step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    value = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    write = tf.summary.writeScalarSummary(writer, step, tag, value);
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    session = new Session(graph);
    session.run(create);
  }

  /**
   * Logs {@code value} under {@code name} (such as "loss" or "accuracy/train") at {@code
   * iteration}.
   */
  public void scalar(String name, long iteration, double v) {
    try (TInt64 s = TInt64.scalarOf(iteration);
        TString t = TString.scalarOf(name);
        TFloat32 x = TFloat32.scalarOf((float) v)) {
      session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(write).run();
    }
  }

  public void flush() {
    session.run(flush);
  }

  @Override
  public void close() {
    try {
      session.run(flush);
      session.run(closeWriter);
    } finally {
      session.close();
      graph.close();
    }
  }
}
