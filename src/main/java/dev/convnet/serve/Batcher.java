package dev.convnet.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Combines concurrent small prediction requests into one run of the model, as TensorFlow Serving's
 * batching does, without waiting for company: one thread takes the first request queued and every
 * other one already queued, up to {@link #MAX_IMAGES} images, and answers each from one run. A lone
 * request runs at once; under load the batches form by themselves.
 */
final class Batcher implements AutoCloseable {
  /** The most images one combined run takes; larger requests run on their own. */
  static final int MAX_IMAGES = 64;

  private record Job(float[] images, int n, CompletableFuture<SavedModelClassifier.Outputs> done) {}

  private final SavedModelClassifier model;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread thread;

  Batcher(SavedModelClassifier model) {
    this.model = model;
    this.thread = new Thread(this::loop, "convnet-batcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Both outputs for {@code n} images, from a run shared with the requests queued beside it. */
  SavedModelClassifier.Outputs predict(float[] images, int n) {
    if (n >= MAX_IMAGES) {
      return model.predict(images, n);
    }
    Job job = new Job(images, n, new CompletableFuture<>());
    queue.add(job);
    try {
      return job.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the model", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
  }

  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      List<Job> batch = new ArrayList<>();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      int total = batch.get(0).n();
      for (Job next = queue.peek();
          next != null && total + next.n() <= MAX_IMAGES;
          next = queue.peek()) {
        batch.add(queue.poll());
        total += next.n();
      }
      run(batch, total);
    }
  }

  private void run(List<Job> batch, int total) {
    try {
      int pixels = batch.get(0).images().length / batch.get(0).n();
      float[] images = new float[total * pixels];
      int at = 0;
      for (Job job : batch) {
        System.arraycopy(job.images(), 0, images, at * pixels, job.n() * pixels);
        at += job.n();
      }
      SavedModelClassifier.Outputs all = model.predict(images, total);
      int classes = all.probabilities().length / total;
      at = 0;
      for (Job job : batch) {
        float[] probabilities = new float[job.n() * classes];
        long[] predicted = new long[job.n()];
        System.arraycopy(all.probabilities(), at * classes, probabilities, 0, probabilities.length);
        System.arraycopy(all.classes(), at, predicted, 0, job.n());
        job.done().complete(new SavedModelClassifier.Outputs(probabilities, predicted));
        at += job.n();
      }
    } catch (RuntimeException e) {
      batch.forEach(job -> job.done().completeExceptionally(e));
    }
  }

  @Override
  public void close() {
    thread.interrupt();
  }
}
