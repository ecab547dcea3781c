package dev.convnet.peers;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The DJL peer of {@code convnet bench}: the notebook's network in DJL on libtorch, trained and
 * evaluated as the PyTorch peer does (same layers, data, Adam, batches, warm-up and windows).
 * Prints one JSON object with the keys of {@code convnet bench --json}.
 */
public final class DjlBench {
  private static final int TRAIN_FROM = 5_000; // the first 5,000 images validate, as in ours

  public static void main(String[] args) throws IOException {
    Path dataDir = Path.of("/usr/share/datasets/fashion-mnist");
    double seconds = 10;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(args[i + 1]);
        case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    byte[] trainImages = readIdx(dataDir, "train-images-idx3-ubyte");
    byte[] trainLabels = readIdx(dataDir, "train-labels-idx1-ubyte");
    byte[] testImages = readIdx(dataDir, "t10k-images-idx3-ubyte");
    int trainCount = trainLabels.length - TRAIN_FROM;
    float[] x = new float[trainCount * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (trainImages[TRAIN_FROM * 784 + i] & 0xFF) / 255f;
    }
    int[] y = new int[trainCount];
    for (int i = 0; i < trainCount; i++) {
      y[i] = trainLabels[TRAIN_FROM + i];
    }
    float[] test = new float[testImages.length];
    for (int i = 0; i < test.length; i++) {
      test[i] = (testImages[i] & 0xFF) / 255f;
    }
    double[] b64 = train(x, y, 64, seconds);
    double[] b256 = train(x, y, 256, seconds);
    double eval = evaluate(test, seconds);
    System.out.printf(
        Locale.ROOT,
        "{\"peer\": \"djl %s (libtorch %s)\", \"threads\": %s, \"train_images_per_second_b64\": %d,"
            + " \"step_ms_p50\": %.2f, \"train_images_per_second_b256\": %d,"
            + " \"eval_images_per_second\": %d}%n",
        Engine.getDjlVersion(),
        Engine.getEngine("PyTorch").getVersion(),
        System.getProperty("ai.djl.pytorch.num_threads", "default"),
        Math.round(b64[0]),
        b64[1],
        Math.round(b256[0]),
        Math.round(eval));
  }

  /** The notebook's network: conv 5x5x16, pool, conv 5x5x36, pool, fc 128, fc 10. */
  private static SequentialBlock network() {
    return new SequentialBlock()
        .add(conv(16))
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(conv(36))
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(128).build())
        .add(Activation::relu)
        .add(Linear.builder().setUnits(10).build());
  }

  private static Conv2d conv(int filters) {
    return Conv2d.builder()
        .setKernelShape(new Shape(5, 5))
        .setFilters(filters)
        .optPadding(new Shape(2, 2))
        .build();
  }

  /** Images/s over a window after a warm-up, and the median step in ms. */
  private static double[] train(float[] x, int[] y, int batch, double seconds) {
    try (Model model = Model.newInstance("convnet")) {
      model.setBlock(network());
      DefaultTrainingConfig config =
          new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
              .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(batch, 1, 28, 28));
        int n = y.length;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          order.add(i);
        }
        Random random = new Random(1);
        Collections.shuffle(order, random);
        int position = 0;
        float[] xb = new float[batch * 784];
        float[] yb = new float[batch];
        long warmupEnd = System.nanoTime() + (long) (Math.min(3, seconds / 3) * 1e9);
        long windowStart = 0;
        List<Long> steps = new ArrayList<>();
        while (true) {
          long t0 = System.nanoTime();
          if (position + batch > n) {
            Collections.shuffle(order, random);
            position = 0;
          }
          for (int b = 0; b < batch; b++) {
            int i = order.get(position + b);
            System.arraycopy(x, i * 784, xb, b * 784, 784);
            yb[b] = y[i];
          }
          position += batch;
          try (NDManager step = trainer.getManager().newSubManager()) {
            NDArray images = step.create(xb, new Shape(batch, 1, 28, 28));
            NDArray labels = step.create(yb, new Shape(batch));
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDList predictions = trainer.forward(new NDList(images));
              NDArray loss = trainer.getLoss().evaluate(new NDList(labels), predictions);
              collector.backward(loss);
            }
            trainer.step();
          }
          long t1 = System.nanoTime();
          if (windowStart == 0) {
            windowStart = t1 >= warmupEnd ? t1 : 0;
            continue;
          }
          steps.add(t1 - t0);
          if (t1 - windowStart >= seconds * 1e9) {
            long total = steps.stream().mapToLong(Long::longValue).sum();
            Collections.sort(steps);
            return new double[] {
              steps.size() * (double) batch / (total / 1e9), steps.get(steps.size() / 2) / 1e6
            };
          }
        }
      }
    }
  }

  /** Evaluation images/s in batches of 256, without gradients. */
  private static double evaluate(float[] test, double seconds) {
    try (Model model = Model.newInstance("convnet")) {
      model.setBlock(network());
      NDManager manager = model.getNDManager();
      model.getBlock().initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(256, 1, 28, 28));
      ParameterStore store = new ParameterStore(manager, false);
      int images = test.length / 784;
      float[] batch = new float[256 * 784];
      long start = 0;
      long count = 0;
      for (int pass = 0; ; pass++) {
        if (pass == 1) {
          start = System.nanoTime(); // the first pass warms up
        }
        for (int from = 0; from < images; from += 256) {
          int n = Math.min(256, images - from);
          System.arraycopy(test, from * 784, batch, 0, n * 784);
          try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(batch, new Shape(256, 1, 28, 28)).get("0:" + n);
            model.getBlock().forward(store, new NDList(x), false).singletonOrThrow().argMax(1).toLongArray();
          }
        }
        if (pass >= 1) {
          count += images;
          if (System.nanoTime() - start >= seconds * 1e9) {
            return count / ((System.nanoTime() - start) / 1e9);
          }
        }
      }
    }
  }

  private static byte[] readIdx(Path dir, String name) throws IOException {
    Path gz = dir.resolve(name + ".gz");
    byte[] raw;
    if (Files.exists(gz)) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
        raw = in.readAllBytes();
      }
    } else {
      raw = Files.readAllBytes(dir.resolve(name));
    }
    int dims = raw[3];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(raw, 4 + 4 * dims, raw.length - 4 - 4 * dims);
    return out.toByteArray();
  }
}
