package dev.convnet.model;

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

  public static final String CPU_NAME = "/device:CPU:0";
  public static final String GPU_NAME = "/device:GPU:0";

  /** What a GPU run needs, named in the error when none is visible. */
  public static final String GPU_REQUIREMENTS =
      "TensorFlow sees no GPU: --device gpu needs the CUDA build"
          + " (mvn -Pgpu, tensorflow-core-native linux-x86_64-gpu), CUDA 12 libraries and cuDNN 9 on the library path,"
          + " and an NVIDIA driver; see README 'Running on a GPU', or use --device cpu";

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
        try (Session session =
                new Session(graph, ConfigProto.newBuilder().setAllowSoftPlacement(false).build());
            var result = session.runner().fetch(probe).run()) {
          gpuSeen = true;
        }
      } catch (RuntimeException e) {
        // "Cannot assign a device ... CUDA is not enabled" or no such device.
        gpuSeen = false;
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
          throw new IllegalStateException(GPU_REQUIREMENTS);
        }
        yield GPU_NAME;
      }
      case AUTO -> gpuAvailable() ? GPU_NAME : CPU_NAME;
    };
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
   * back.
   */
  public static ConfigProto loadConfig(String resolved) {
    ConfigProto.Builder config = ConfigProto.newBuilder().setAllowSoftPlacement(true);
    if (resolved.equals(CPU_NAME)) {
      config.putDeviceCount("GPU", 0);
    }
    return config.build();
  }
}
