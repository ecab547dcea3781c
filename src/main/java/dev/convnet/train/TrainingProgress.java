package dev.convnet.train;

import java.io.PrintStream;

/** Where the trainer reports: printed lines, and an optional live progress display. */
public interface TrainingProgress extends AutoCloseable {
  /** A line of the notebook's output; must stay readable beside a live display. */
  void println(String line);

  /** A training step finished: {@code iteration} is 1-based. */
  default void step(long iteration, long plannedIterations, double cost, double runningAccuracy) {}

  @Override
  default void close() {}

  /** Plain lines to {@code out}, no live display (for logs, pipes and tests). */
  static TrainingProgress lines(PrintStream out) {
    return out::println;
  }
}
