package dev.convnet.cli;

import dev.convnet.train.StopSwitch;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM during training: the first asks training to stop after the step under
 * way and write a checkpoint; a second Ctrl-C ends the process at once. Checkpoints are swapped in
 * whole, so the last complete one survives either way.
 */
final class Interrupts {
  /** Shells' convention: 128 + the signal's number. */
  static final int SIGINT_EXIT = 130;

  static final int SIGTERM_EXIT = 143;

  private Interrupts() {}

  /** Routes SIGINT and SIGTERM to {@code stop}. */
  static void onStop(StopSwitch stop) {
    handle("INT", SIGINT_EXIT, stop);
    handle("TERM", SIGTERM_EXIT, stop);
  }

  /**
   * Calls {@code stop} with the exit code (130 for Ctrl-C, 143 for SIGTERM) at the first signal; a
   * second one stops the process at once.
   */
  static void onSignal(java.util.function.IntConsumer stop) {
    java.util.concurrent.atomic.AtomicBoolean signalled =
        new java.util.concurrent.atomic.AtomicBoolean();
    for (String[] signal : new String[][] {{"INT", "130"}, {"TERM", "143"}}) {
      int exitCode = Integer.parseInt(signal[1]);
      try {
        Signal.handle(
            new Signal(signal[0]),
            s -> {
              if (signalled.getAndSet(true)) {
                Runtime.getRuntime().halt(exitCode);
              }
              stop.accept(exitCode);
            });
      } catch (IllegalArgumentException e) {
        // This platform lacks the signal: nothing to route.
      }
    }
  }

  private static void handle(String signal, int exitCode, StopSwitch stop) {
    try {
      Signal.handle(
          new Signal(signal),
          s -> {
            if (stop.requested()) {
              System.err.println("convnet: stopped at once; the last whole checkpoint is kept");
              Runtime.getRuntime().halt(exitCode);
            }
            stop.request(exitCode);
            System.err.println(
                "convnet: stopping after this step and writing a checkpoint (Ctrl-C again to stop at"
                    + " once)");
          });
    } catch (IllegalArgumentException e) {
      // This platform lacks the signal (SIGTERM on some systems): nothing to route.
    }
  }
}
