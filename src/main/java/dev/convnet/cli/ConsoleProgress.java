package dev.convnet.cli;

import dev.convnet.train.TrainingProgress;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The notebook's lines on stdout with a live progress bar (me.tongfei:progressbar) kept on the last
 * line beneath them: iterations, iterations/s, time left and the running training accuracy.
 */
final class ConsoleProgress implements TrainingProgress {
  private static final String CLEAR_LINE = "\r\033[2K";

  private final PrintStream out;
  private ProgressBar bar;
  private String lastBar = "";

  ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void println(String line) {
    out.print(CLEAR_LINE + line + System.lineSeparator() + lastBar);
    out.flush();
  }

  private synchronized void drawBar(String rendered) {
    lastBar = rendered;
    out.print(CLEAR_LINE + rendered);
    out.flush();
  }

  @Override
  public void step(long iteration, long plannedIterations, double cost, double runningAccuracy) {
    if (bar == null) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("Training")
              .setInitialMax(plannedIterations)
              .setStyle(ProgressBarStyle.ASCII)
              .setUnit(" it", 1)
              .showSpeed()
              .setUpdateIntervalMillis(250)
              .setConsumer(new DelegatingProgressBarConsumer(this::drawBar, 100))
              .startsFrom(iteration - 1, Duration.ZERO)
              .build();
    }
    bar.maxHint(plannedIterations);
    bar.stepTo(iteration);
    bar.setExtraMessage(
        " | train acc "
            + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * runningAccuracy)
            + " (last 100)");
    if (iteration >= plannedIterations) {
      close();
    }
  }

  @Override
  public void close() {
    ProgressBar closing;
    synchronized (this) {
      closing = bar;
      bar = null;
    }
    if (closing == null) {
      return;
    }
    // Not under this object's lock: the bar's last render calls drawBar, which takes it, and
    // close waits for that render.
    closing.close();
    synchronized (this) {
      lastBar = "";
      out.print(CLEAR_LINE);
      out.flush();
    }
  }
}
