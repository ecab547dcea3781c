package dev.convnet.cli;

import dev.convnet.data.ImageFolder;
import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How the reading of a folder of images goes: a progress bar on a terminal, and on any output one
 * line when it is done, with the count and the time.
 */
final class ReadingProgress implements ImageFolder.Reading {
  private final PrintStream out;
  private final boolean live;
  private final String task;
  private final String done;
  private ProgressBar bar;
  private long start;
  private int files;

  private ReadingProgress(PrintStream out, boolean live, String task, String done) {
    this.out = out;
    this.live = live;
    this.task = task;
    this.done = done;
  }

  /** Reading, with a bar when {@code out} is a terminal and progress is wanted. */
  static ReadingProgress to(PrintStream out, boolean progressWanted) {
    return new ReadingProgress(
        out, progressWanted && System.console() != null, "Reading images", "Read");
  }

  /** The same for writing image files. */
  static ReadingProgress writing(PrintStream out) {
    return new ReadingProgress(out, System.console() != null, "Writing images", "Wrote");
  }

  @Override
  public void start(int count) {
    files = count;
    start = System.nanoTime();
    if (live) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(count)
              .setStyle(ProgressBarStyle.ASCII)
              .setUnit(" files", 1)
              .showSpeed()
              .setUpdateIntervalMillis(250)
              .setConsumer(new ConsoleProgressBarConsumer(out, 100))
              .continuousUpdate()
              .build();
    }
  }

  @Override
  public void read() {
    if (bar != null) {
      bar.step();
    }
  }

  @Override
  public void done() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    out.printf(
        "%s %d image files in %.1f s on %d cores%n",
        done, files, took.toMillis() / 1000.0, Runtime.getRuntime().availableProcessors());
    out.flush();
  }
}
