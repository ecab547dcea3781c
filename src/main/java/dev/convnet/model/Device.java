package dev.convnet.model;

import dev.convnet.common.InvalidSettingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * Where the network runs. {@code auto} takes the first GPU when TensorFlow sees one, else the CPU;
 * {@code gpu} insists, and fails at once with what is missing rather than quietly using the CPU.
 */
public enum Device {
  AUTO,
  CPU,
  GPU;

  @Override
  public String toString() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static final String CPU_NAME = "/device:CPU:0";
  public static final String GPU_NAME = "/device:GPU:0";

  /** What a GPU run needs, named in the error when the CPU build runs. */
  static final String GPU_REQUIREMENTS =
      "TensorFlow sees no GPU: {device} gpu needs the CUDA build (mvn -Pgpu,"
          + " tensorflow-core-native linux-x86_64-gpu), CUDA 12 libraries and cuDNN 9 on the"
          + " library path, and an NVIDIA driver; see docs/gpu.md, or use {device} cpu";

  /** Where Debian, Ubuntu and RHEL put the driver's CUDA library. */
  private static final List<Path> LIBCUDA =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"),
          Path.of("/usr/lib64/libcuda.so.1"),
          Path.of("/usr/lib/libcuda.so.1"));

  private static String probeError = "";

  private static Boolean gpuSeen;

  /** Whether TensorFlow can place an op on /GPU:0 here (asked once, then remembered). */
  public static synchronized boolean gpuAvailable() {
    if (gpuSeen == null) {
      try (Graph graph = new Graph()) {
        Ops tf =
            Ops.create(graph)
                .withDevice(
                    DeviceSpec.newBuilder()
                        .deviceType(DeviceSpec.DeviceType.GPU)
                        .deviceIndex(0)
                        .build());
        var probe = tf.math.add(tf.constant(1f), tf.constant(1f));
        // The threads a default training will ask for: without TF_OVERRIDE_GLOBAL_THREADPOOL, the
        // first
        // session of a process sizes the CPU thread pool that every later session shares.
        try (Session session =
                new Session(graph, ThreadPolicy.towerPerCore().sessionConfig(false));
            var result = session.runner().fetch(probe).run()) {
          gpuSeen = true;
        }
      } catch (RuntimeException e) {
        // "Cannot assign a device ... CUDA is not enabled" or no such device.
        gpuSeen = false;
        probeError = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      }
    }
    return gpuSeen;
  }

  /**
   * The device this choice means on this machine, e.g. "/device:CPU:0"; fails for gpu without one.
   */
  public String resolve() {
    return switch (this) {
      case CPU -> CPU_NAME;
      case GPU -> {
        if (!gpuAvailable()) {
          throw new InvalidSettingException(
              "device", whyNoGpu(cudaBuild(), driverPresent(), probeError));
        }
        yield GPU_NAME;
      }
      case AUTO -> gpuAvailable() ? GPU_NAME : CPU_NAME;
    };
  }

  /**
   * Why {@code gpu} cannot run: the CPU build cannot use a GPU at all; the CUDA build says what it
   * is missing.
   */
  static String whyNoGpu(boolean cudaBuild, boolean driverPresent, String probeError) {
    if (!cudaBuild) {
      return GPU_REQUIREMENTS;
    }
    if (!driverPresent) {
      return "TensorFlow's CUDA build found no GPU: no CUDA driver found (libcuda.so.1 is not"
          + " installed or not on the library path); install the NVIDIA driver, or use {device}"
          + " cpu";
    }
    return "TensorFlow's CUDA build found no usable GPU although an NVIDIA driver is installed ("
        + probeError
        + "); check CUDA 12 and cuDNN 9 on the library path, or use {device} cpu";
  }

  /** Whether this process runs TensorFlow's CUDA natives (the gpu profile's jar). */
  static boolean cudaBuild() {
    return System.getProperty("java.class.path", "").contains("linux-x86_64-gpu");
  }

  private static boolean driverPresent() {
    if (Files.exists(Path.of("/proc/driver/nvidia/version"))) {
      return true;
    }
    List<Path> places = new ArrayList<>(LIBCUDA);
    for (String dir : System.getenv().getOrDefault("LD_LIBRARY_PATH", "").split(":")) {
      if (!dir.isEmpty()) {
        places.add(Path.of(dir, "libcuda.so.1"));
      }
    }
    return places.stream().anyMatch(Files::exists);
  }

  /** The spec that pins a graph's ops to {@code resolved} (a name from {@link #resolve()}). */
  public static DeviceSpec spec(String resolved) {
    return DeviceSpec.newBuilder()
        .deviceType(
            resolved.equals(GPU_NAME) ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU)
        .deviceIndex(0)
        .build();
  }

  /**
   * Session settings for a loaded model: hides GPUs for the CPU, lets ops without GPU kernels fall
   * back. {@code callerThreads}: each run's ops execute on the thread that called it, one thread an
   * op, for many concurrent callers (a server's); otherwise TensorFlow's pools split each op over
   * every core, for one caller with large batches.
   */
  public static ConfigProto loadConfig(String resolved, boolean callerThreads) {
    ConfigProto.Builder config = ConfigProto.newBuilder().setAllowSoftPlacement(true);
    if (resolved.equals(CPU_NAME)) {
      config.putDeviceCount("GPU", 0);
    }
    if (callerThreads) {
      // A negative inter-op count runs the ops in the caller's thread: no hand-off to a pool and
      // back for each op of a one-image run (docs/performance.md#serving).
      config.setInterOpParallelismThreads(-1).setIntraOpParallelismThreads(1);
    }
    return config.build();
  }
}
