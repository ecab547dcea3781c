package dev.convnet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Our Adam against Adam's arithmetic done in plain Java, step by step. */
class AdamOptimizerTest {

  /**
   * Plain-Java Adam in the form TensorFlow's ApplyAdam uses (epsilon outside the bias correction).
   */
  static final class ReferenceAdam {
    final double lr;
    final double[] m;
    final double[] v;
    int t;

    ReferenceAdam(double lr, int size) {
      this.lr = lr;
      this.m = new double[size];
      this.v = new double[size];
    }

    void step(double[] w, double[] g) {
      t++;
      double b1 = AdamOptimizer.BETA1;
      double b2 = AdamOptimizer.BETA2;
      double lrT = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
      for (int i = 0; i < w.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        w[i] -= lrT * m[i] / (Math.sqrt(v[i]) + AdamOptimizer.EPSILON);
      }
    }
  }

  private static float[] values(Session session, Operand<TFloat32> op) {
    try (Result r = session.runner().fetch(op).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /**
   * The case that exposed the race in tensorflow-framework 1.1.0's Adam: one step on loss = w from
   * w = 1 at rate 0.1 must give exactly 0.9. Repeated, because the race showed only sometimes.
   */
  @RepeatedTest(20)
  void oneStepOnLossEqualsWGivesPointNineEveryTime() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Variable<TFloat32> w = tf.variable(tf.constant(1f));
      Operand<TFloat32> loss = tf.identity(w);
      AdamOptimizer adam = new AdamOptimizer(tf, List.of(w));
      AdamOptimizer.Step step = adam.minimize(loss, tf.constant(0.1f));
      try (Session session = new Session(graph)) {
        session.initialize();
        session.run(step.op());
        assertEquals(0.9f, values(session, w)[0], 1e-6f);
        assertEquals(
            AdamOptimizer.BETA1 * AdamOptimizer.BETA1,
            values(session, adam.beta1Power())[0],
            1e-7f);
        assertEquals(
            AdamOptimizer.BETA2 * AdamOptimizer.BETA2,
            values(session, adam.beta2Power())[0],
            1e-7f);
      }
    }
  }

  @Test
  void severalStepsOnAQuadraticMatchPlainJavaAdam() {
    float[] start = {1.5f, -0.5f, 0.25f};
    float[] target = {0.2f, 0.4f, -1.0f};
    double lr = 0.05;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Variable<TFloat32> w = tf.variable(tf.constant(start));
      // loss = 0.5 * |w - target|^2, so the gradient is w - target.
      Operand<TFloat32> loss = tf.nn.l2Loss(tf.math.sub(w, tf.constant(target)));
      AdamOptimizer adam = new AdamOptimizer(tf, List.of(w));
      AdamOptimizer.Step adamStep = adam.minimize(loss, tf.constant((float) lr));
      ReferenceAdam reference = new ReferenceAdam(lr, start.length);
      double[] expected = {start[0], start[1], start[2]};
      try (Session session = new Session(graph)) {
        session.initialize();
        for (int step = 1; step <= 10; step++) {
          double[] gradient = new double[3];
          for (int i = 0; i < 3; i++) {
            gradient[i] = expected[i] - target[i];
          }
          reference.step(expected, gradient);
          session.run(adamStep.op());
          float[] actual = values(session, w);
          for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], actual[i], 1e-5, "w[" + i + "] after step " + step);
          }
        }
        // The moments are checkpointed state: they must match too.
        float[] m = values(session, adam.slots().get(0));
        for (int i = 0; i < 3; i++) {
          assertEquals(reference.m[i], m[i], 1e-5, "m[" + i + "]");
        }
      }
    }
  }
}
