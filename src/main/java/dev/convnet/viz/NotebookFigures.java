package dev.convnet.viz;

import dev.convnet.data.ImageSet;
import dev.convnet.results.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The notebook's plotting functions one call at a time, each writing its figure as a PNG file into
 * one folder and returning the file's path: what {@code scripts/notebook} calls cell by cell where
 * the notebook shows a figure inline. {@code train} draws them all at once ({@link Figures}).
 */
public final class NotebookFigures {
  private final Path dir;
  private final Figures figures;
  private final NamedTensors tensors;
  private final ImageSet test;

  /** Figures of the network behind {@code tensors}, on images of {@code test}, into {@code dir}. */
  public NotebookFigures(Path dir, NamedTensors tensors, ImageSet test) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    this.dir = dir;
    this.figures = new Figures(dir);
    this.tensors = tensors;
    this.test = test;
  }

  /** In [40] {@code plot_example_errors}: the first nine misclassified test images. */
  public Path plotExampleErrors(Evaluation evaluation) {
    figures.plotExampleErrors(test, evaluation);
    return dir.resolve("example_errors.png");
  }

  /** In [41] {@code plot_confusion_matrix}. */
  public Path plotConfusionMatrix(Evaluation evaluation) {
    figures.plotConfusionMatrix(evaluation);
    return dir.resolve("confusion_matrix.png");
  }

  /** In [50] {@code plot_image}: test image {@code index}. */
  public Path plotImage(int index) {
    String file = "image_" + index + ".png";
    figures.plotImage(file, test, index, "In [50]", "Test image " + index + ".");
    return dir.resolve(file);
  }

  /** In [48] {@code plot_conv_weights}: input channel {@code inputChannel} of every filter. */
  public Path plotConvWeights(String weights, int inputChannel) {
    String file = weights + "_channel" + inputChannel + ".png";
    figures.plotConvWeights(tensors, weights, inputChannel, file, "In [48]", weights);
    return dir.resolve(file);
  }

  /** In [49] {@code plot_conv_layer}: the layer's output for test image {@code index}. */
  public Path plotConvLayer(String layer, int index) {
    String file = layer + "_image" + index + ".png";
    figures.plotConvLayer(tensors, layer, test, index, file, "In [49]", layer);
    return dir.resolve(file);
  }
}
