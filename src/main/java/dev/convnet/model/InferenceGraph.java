package dev.convnet.model;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The network's forward pass alone, in a graph of its own: In [12]-[13] and [16]-[28], from {@code
 * x} to the probabilities and the class, and the named layers and filters the figures fetch. No
 * labels, cost, optimizer or training step: what a SavedModel ships. Its variables have the same
 * names as a {@link ConvNet}'s of the same network, so a checkpoint of one restores into the other.
 */
public final class InferenceGraph implements AutoCloseable {
  public final Graph graph;

  /** In [12]: the input images, flat, {@code [?, 784]}, pixels in [0, 1]. */
  public final Placeholder<TFloat32> x;

  /** In [27]: the predicted probability of each class. */
  public final Operand<TFloat32> yPred;

  /** In [28]: the predicted class number. */
  public final Operand<TInt64> yPredCls;

  /** Encoded image files (PNG, JPEG, GIF, BMP), one a string, {@code [?]}. */
  public final Placeholder<TString> imageBytes;

  /** The same outputs for the images of {@code imageBytes}, prepared in the graph. */
  public final Operand<TFloat32> imagesPred;

  public final Operand<TInt64> imagesPredCls;

  /** Each class's name, {@code [numClasses]}, a constant the SavedModel carries. */
  public final Operand<TString> classNames;

  /** The name of {@code yPredCls}'s class, and of {@code imagesPredCls}'s. */
  public final Operand<TString> yPredName;

  public final Operand<TString> imagesPredName;

  public final Session session;

  /** The name of the graph's constant of class names, which a loaded SavedModel reads back. */
  public static final String CLASS_NAMES = "class_names";

  /**
   * Builds {@code config}'s forward pass on the CPU (a SavedModel is placed by its loader), for
   * Fashion-MNIST's classes.
   */
  public InferenceGraph(ModelConfig config) {
    this(config, false, dev.convnet.data.FashionMnist.LABELS);
  }

  /**
   * The forward pass of a network that tells {@code names} apart, whose outputs with {@code
   * flipAverage} average each image's probabilities with its mirror's ({@link FlipAveraging}); the
   * named layers stay the single view.
   */
  public InferenceGraph(ModelConfig config, boolean flipAverage, List<String> names) {
    if (names.size() != config.numClasses()) {
      throw new IllegalArgumentException(
          names.size() + " class names for a network of " + config.numClasses() + " classes");
    }
    graph = new Graph();
    Ops tf = Ops.create(graph);
    // Every value comes from the trained network; the convolutions as evaluation on a CPU ran them.
    Layers.Convolution convolution = Layers.predictionConvolution(Device.CPU_NAME);
    Layers layers = Layers.forPrediction(tf, convolution);
    int imgSize = ModelConfig.IMG_SIZE;
    x =
        tf.withName(ConvNet.X_NAME)
            .placeholder(
                TFloat32.class, Placeholder.shape(Shape.of(-1, ModelConfig.IMG_SIZE_FLAT)));
    Operand<TFloat32> xImage =
        tf.reshape(x, tf.constant(new int[] {-1, imgSize, imgSize, ModelConfig.NUM_CHANNELS}));
    // Dropout (exercise 5) trains only: at rate 0 its mask is exactly 1.
    ConvNet.Network network = ConvNet.network(layers, xImage, config, tf.constant(0f));
    ConvNet.nameForFigures(tf, network);
    yPred =
        flipAverage
            ? tf.withName("y_pred")
                .identity(
                    FlipAveraging.probabilities(
                        tf, layers.variables(), xImage, config, convolution))
            : tf.withName("y_pred").nn.softmax(network.layerFc2());
    yPredCls = tf.withName("y_pred_cls").math.argMax(yPred, tf.constant(1));

    // The same network, over the same variables, on image files decoded in the graph.
    imageBytes =
        tf.withName("image_bytes").placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
    Ops images = tf.withSubScope("images");
    Operand<TFloat32> pixels = ImagePreparation.prepare(images, imageBytes);
    Operand<TFloat32> filesImage =
        images.reshape(
            pixels, images.constant(new int[] {-1, imgSize, imgSize, ModelConfig.NUM_CHANNELS}));
    imagesPred =
        images
            .withName("probabilities")
            .identity(
                flipAverage
                    ? FlipAveraging.probabilities(
                        images, layers.variables(), filesImage, config, convolution)
                    : images.nn.softmax(
                        ConvNet.network(
                                Layers.reusing(images, layers.variables(), convolution),
                                filesImage,
                                config,
                                images.constant(0f))
                            .layerFc2()));
    imagesPredCls = images.withName("class").math.argMax(imagesPred, images.constant(1));
    classNames =
        tf.withName(CLASS_NAMES).constant(StandardCharsets.UTF_8, names.toArray(String[]::new));
    yPredName = tf.withName("y_pred_name").gather(classNames, yPredCls, tf.constant(0));
    imagesPredName =
        images.withName("class_name").gather(classNames, imagesPredCls, images.constant(0));
    session = new Session(graph, ThreadPolicy.wholeBatch().sessionConfig(false));
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
