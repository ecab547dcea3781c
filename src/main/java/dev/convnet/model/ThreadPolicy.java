package dev.convnet.model;

import org.tensorflow.proto.ConfigProto;

/**
 * How a session spreads work over the CPU's cores: the one place where towers and TensorFlow's
 * thread pools are decided, read by the training step, the session, the GPU probe and the
 * benchmark.
 *
 * @param towers how many shares each training batch is cut into, each computed on its own core
 * @param intraOpThreads threads that one op may split its work over
 * @param interOpThreads ops that may run at once (one per tower)
 */
public record ThreadPolicy(int towers, int intraOpThreads, int interOpThreads) {
  /** Up to this many cores, the fast step trains one tower per core. */
  public static final int MAX_TOWERS = 4;

  public ThreadPolicy {
    if (towers < 1 || intraOpThreads < 1 || interOpThreads < 1) {
      throw new IllegalArgumentException(
          "towers and threads must be positive: "
              + towers
              + ", "
              + intraOpThreads
              + ", "
              + interOpThreads);
    }
  }

  /**
   * The notebook's way: one graph for the whole batch, each op spread over every core, one op at a
   * time (the graph has little parallelism between its ops).
   */
  public static ThreadPolicy wholeBatch() {
    return new ThreadPolicy(1, cores(), 1);
  }

  /**
   * {@code towers} towers, each op on one thread and one tower per inter-op thread: on two cores,
   * faster than two threads splitting each small op (docs/performance.md).
   */
  public static ThreadPolicy towers(int towers) {
    return towers == 1 ? wholeBatch() : new ThreadPolicy(towers, 1, towers);
  }

  /** One tower per core on a CPU of up to {@link #MAX_TOWERS} cores, else the whole batch. */
  public static ThreadPolicy towerPerCore() {
    int cores = cores();
    return cores > MAX_TOWERS ? wholeBatch() : towers(cores);
  }

  /** The session options; soft placement lets ops without a GPU kernel fall back to the CPU. */
  public ConfigProto sessionConfig(boolean softPlacement) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpThreads)
        .setInterOpParallelismThreads(interOpThreads)
        .setAllowSoftPlacement(softPlacement)
        .build();
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
