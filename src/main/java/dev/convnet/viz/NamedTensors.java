package dev.convnet.viz;

import dev.convnet.model.ConvNet;
import dev.convnet.model.Tensors;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Fetches the tensors the notebook plots by their op names, from any session that runs the
 * network's graph: the training session, or an exported SavedModel's.
 */
public final class NamedTensors {
  /** Values with their shape, row-major. */
  public record Values(float[] data, long[] shape) {}

  private final Session session;

  public NamedTensors(Session session) {
    this.session = session;
  }

  /** A variable's value, such as {@link ConvNet#WEIGHTS_CONV1}. */
  public Values fetch(String name) {
    try (Result result = session.runner().fetch(name).run()) {
      return values((TFloat32) result.get(0));
    }
  }

  /** A layer's output for one image of 784 floats, such as {@link ConvNet#LAYER_CONV1}. */
  public Values fetch(String name, float[] image) {
    try (TFloat32 x = Tensors.images(image, 1);
        Result result = session.runner().feed(ConvNet.X_NAME, x).fetch(name).run()) {
      return values((TFloat32) result.get(0));
    }
  }

  private static Values values(TFloat32 t) {
    return new Values(Tensors.floats(t), t.shape().asArray());
  }
}
