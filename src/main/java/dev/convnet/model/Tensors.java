package dev.convnet.model;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Java arrays to and from tensors; every tensor returned must be closed by the caller. */
public final class Tensors {
  private Tensors() {}

  /**
   * The first {@code rows * columns} values as a {@code [rows, columns]} tensor (arrays are reused
   * across batches).
   */
  public static TFloat32 matrix(float[] values, int rows, int columns) {
    if (values.length < (long) rows * columns) {
      throw new IllegalArgumentException(
          values.length + " values cannot fill " + rows + " x " + columns);
    }
    return TFloat32.tensorOf(
        Shape.of(rows, columns), DataBuffers.of(values, true, false).narrow((long) rows * columns));
  }

  /** {@code n} images of 784 floats each, as the input {@code x} takes them. */
  public static TFloat32 images(float[] values, int n) {
    return matrix(values, n, ModelConfig.IMG_SIZE_FLAT);
  }

  /** A float tensor's values, row-major. */
  public static float[] floats(TFloat32 tensor) {
    float[] out = new float[(int) tensor.shape().size()];
    tensor.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** An int64 tensor's values, row-major. */
  public static long[] longs(TInt64 tensor) {
    long[] out = new long[(int) tensor.shape().size()];
    tensor.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
