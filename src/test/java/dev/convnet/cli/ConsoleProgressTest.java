package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The progress bar a terminal shows while training. */
class ConsoleProgressTest {
  /**
   * The bar closes itself at the last iteration while its renderer may be drawing: the close must
   * not wait for a render that waits for it (a run on a terminal once hung there, its training
   * done). The limit is a deadlock's, not a speed's: the close takes milliseconds.
   */
  @Test
  void theLastStepClosesTheBarWhileItIsBeingDrawn() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int run = 0; run < 5; run++) {
            ConsoleProgress progress = new ConsoleProgress(out);
            for (long i = 1; i <= 40; i++) {
              progress.step(i, 40, 0.5, 0.5);
              progress.println("Optimization Iteration: " + i);
              Thread.sleep(15); // the renderer draws every 250 ms: some steps meet it
            }
            progress.close();
          }
        });
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("Optimization Iteration: 40"));
  }
}
