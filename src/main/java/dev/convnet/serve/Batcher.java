package dev.convnet.serve;

import dev.convnet.savedmodel.SavedModelClassifier;
import dev.convnet.savedmodel.Warmup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Combines concurrent prediction requests into shared runs of the model, as TensorFlow Serving's
 * batching does, without waiting for company: each of a few runner threads (one a core) takes the
 * first request queued and every other one already queued behind it, up to {@link #MAX_IMAGES}
 * images, and answers each from one run; a larger request runs alone. A lone request runs at once;
 * under load the batches form by themselves and every core runs one.
 *
 * <p>A batch's kernels round differently from a single image's, so a shared run's probabilities may
 * differ from the image's own run in their last digits (a few 1e-7 at most); the exact mode ({@code
 * serve --no-batching}) runs each request alone.
 */
final class Batcher implements ModelRuns {
  /**
   * The most images one shared run takes; a larger request runs alone, on a runner too, so that no
   * more runs than cores compete for them. Beyond about 16 images a run on one core gains nothing
   * an image (docs/performance.md#serving), and one runner taking every queued large request would
   * leave the other cores idle.
   */
  static final int MAX_IMAGES = Warmup.LARGEST_BATCH;

  /** {@code n} images of 784 floats each, and where their answer goes. */
  private record Job(float[] images, int n, CompletableFuture<SavedModelClassifier.Outputs> done) {}

  private final ModelRuns.Predictor model;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  // One runner at a time gathers its batch, so no two runners split a run of queued requests.
  private final ReentrantLock gathering = new ReentrantLock();
  private final List<Thread> runners = new ArrayList<>();
  private final AtomicLong runs = new AtomicLong();

  /** A batcher with one runner a core. */
  Batcher(SavedModelClassifier model) {
    this(model::predict, Runtime.getRuntime().availableProcessors());
  }

  Batcher(ModelRuns.Predictor model, int runnerCount) {
    this.model = model;
    for (int i = 0; i < runnerCount; i++) {
      Thread runner = new Thread(this::loop, "convnet-batcher-" + i);
      runner.setDaemon(true);
      runner.start();
      runners.add(runner);
    }
  }

  /** Both outputs for {@code n} images, from a run shared with the requests queued beside it. */
  @Override
  public SavedModelClassifier.Outputs predict(float[] images, int n) {
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
      List<Job> batch;
      try {
        batch = gather();
      } catch (InterruptedException e) {
        return;
      }
      run(batch);
    }
  }

  /** The first job queued (waiting for one) and the jobs right behind it that fit. */
  private List<Job> gather() throws InterruptedException {
    List<Job> batch = new ArrayList<>();
    gathering.lockInterruptibly();
    try {
      Job first = queue.take();
      batch.add(first);
      int total = first.n();
      for (Job next = queue.peek();
          next != null && total + next.n() <= MAX_IMAGES;
          next = queue.peek()) {
        batch.add(queue.poll());
        total += next.n();
      }
    } finally {
      gathering.unlock();
    }
    return batch;
  }

  private void run(List<Job> batch) {
    try {
      SavedModelClassifier.Outputs all = runTogether(batch);
      int classes = all.probabilities().length / all.classes().length;
      int at = 0;
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

  /** Runs of the model so far: fewer than the requests when they shared. */
  long runs() {
    return runs.get();
  }

  private SavedModelClassifier.Outputs runTogether(List<Job> batch) {
    runs.incrementAndGet();
    Job first = batch.get(0);
    if (batch.size() == 1) {
      return model.predict(first.images(), first.n());
    }
    int pixels = first.images().length / first.n();
    int total = batch.stream().mapToInt(Job::n).sum();
    float[] images = new float[total * pixels];
    int at = 0;
    for (Job job : batch) {
      System.arraycopy(job.images(), 0, images, at * pixels, job.n() * pixels);
      at += job.n();
    }
    return model.predict(images, total);
  }

  @Override
  public void close() {
    runners.forEach(Thread::interrupt);
  }
}
