package dev.convnet.serve;

import dev.convnet.savedmodel.SavedModelClassifier;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * How {@code serve} runs the model for a request: shared with concurrent requests ({@link Batcher},
 * the default) or alone ({@link #exact}). Either way no more runs than cores at once: more would
 * only take turns on the cores, each slower, while the other workers parse the next requests.
 */
interface ModelRuns extends AutoCloseable {
  /** Both outputs for {@code n} images given as 784 floats each. */
  SavedModelClassifier.Outputs predict(float[] images, int n);

  @Override
  void close();

  /** One run of the model on {@code n} images: a SavedModelClassifier's, maybe counted. */
  @FunctionalInterface
  interface Predictor {
    SavedModelClassifier.Outputs predict(float[] images, int n);
  }

  /**
   * The exact mode: each request its own run, so an answer never depends on what else was asked, at
   * most one run a core at a time.
   */
  static ModelRuns exact(Predictor model) {
    Semaphore cores = new Semaphore(Runtime.getRuntime().availableProcessors());
    return new ModelRuns() {
      @Override
      public SavedModelClassifier.Outputs predict(float[] images, int n) {
        return oneCore(() -> model.predict(images, n));
      }

      private SavedModelClassifier.Outputs oneCore(Supplier<SavedModelClassifier.Outputs> run) {
        try {
          cores.acquire();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the model", e);
        }
        try {
          return run.get();
        } finally {
          cores.release();
        }
      }

      @Override
      public void close() {
        // nothing of its own to stop
      }
    };
  }
}
