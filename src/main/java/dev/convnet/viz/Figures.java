package dev.convnet.viz;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.model.ConvNet;
import dev.convnet.results.Evaluation;
import dev.convnet.results.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The notebook's figures (In [5], [40], [41], [48]-[59]) as PNG files, drawn headless: image grids
 * with java.awt, the confusion matrix and the training curve with XChart.
 */
public final class Figures {
  /** In [51] and [52]: the two test images the notebook looks inside. */
  public static final int IMAGE1_INDEX = 0;

  public static final int IMAGE2_INDEX = 13;

  /** In [5]: the training image whose label the notebook prints. */
  public static final int SAMPLE_TRAINING_INDEX = 5;

  /**
   * A written figure: its file name in the figures folder, a title and a caption for the report.
   */
  public record Figure(String file, String title, String caption, String cell) {}

  private final Path dir;
  private final List<Figure> written = new ArrayList<>();

  private Figures(Path dir) {
    this.dir = dir;
  }

  /**
   * Draws every figure into {@code dir}.
   *
   * @param tensors the network's named tensors (training session or SavedModel)
   * @param training the training images as loaded (for the sample of In [5])
   * @param test the test images
   * @param evaluation the network's predictions on {@code test}
   * @param history what training logged
   */
  public static List<Figure> drawAll(
      Path dir,
      NamedTensors tensors,
      ImageSet training,
      ImageSet test,
      Evaluation evaluation,
      History history) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    Figures f = new Figures(dir);
    f.sampleImage(training);
    f.plotImage(
        "plot_image_1.png",
        test,
        IMAGE1_INDEX,
        "In [51]",
        "image1: test image " + IMAGE1_INDEX + ", the first example the notebook looks inside.");
    f.plotImage(
        "plot_image_2.png",
        test,
        IMAGE2_INDEX,
        "In [52]",
        "image2: test image " + IMAGE2_INDEX + ", the second example.");
    f.plotImages(test, evaluation);
    f.exampleErrors(test, evaluation);
    f.confusionMatrix(evaluation);
    f.convWeights(
        tensors,
        ConvNet.WEIGHTS_CONV1,
        0,
        "conv_weights1.png",
        "In [53]",
        "The 16 filters of the first convolutional layer. Red weights react positively to bright pixels, blue negatively; one colour scale for all.");
    f.convLayer(
        tensors,
        ConvNet.LAYER_CONV1,
        test,
        IMAGE1_INDEX,
        "conv_layer1_image1.png",
        "In [54]",
        "layer_conv1 on image1: each filter's 14x14 output after pooling and ReLU; variations of the input, as if lit from different sides.");
    f.convLayer(
        tensors,
        ConvNet.LAYER_CONV1,
        test,
        IMAGE2_INDEX,
        "conv_layer1_image2.png",
        "In [55]",
        "layer_conv1 on image2.");
    f.convWeights(
        tensors,
        ConvNet.WEIGHTS_CONV2,
        0,
        "conv_weights2_channel0.png",
        "In [56]",
        "The second layer's 36 filters for its input channel 0 (it has 16 input channels, so 16 such sets).");
    f.convWeights(
        tensors,
        ConvNet.WEIGHTS_CONV2,
        1,
        "conv_weights2_channel1.png",
        "In [57]",
        "The same 36 filters for input channel 1.");
    f.convLayer(
        tensors,
        ConvNet.LAYER_CONV2,
        test,
        IMAGE1_INDEX,
        "conv_layer2_image1.png",
        "In [58]",
        "layer_conv2 on image1: 36 outputs of 7x7; they respond to lines and patterns rather than to the exact pixels.");
    f.convLayer(
        tensors,
        ConvNet.LAYER_CONV2,
        test,
        IMAGE2_INDEX,
        "conv_layer2_image2.png",
        "In [59]",
        "layer_conv2 on image2.");
    f.trainingCurve(history);
    return List.copyOf(f.written);
  }

  private void save(BufferedImage image, Figure figure) {
    try {
      ImageIO.write(image, "png", dir.resolve(figure.file()).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write " + dir.resolve(figure.file()) + ": " + e.getMessage(), e);
    }
    written.add(figure);
  }

  private static ImageGrid.Tile imageTile(ImageSet set, int index, String caption) {
    int side = set.imageSize();
    return new ImageGrid.Tile(set.image(index), side, side, ImageGrid.binary(0, 1), caption);
  }

  private void sampleImage(ImageSet training) {
    int label = training.label(SAMPLE_TRAINING_INDEX);
    String caption = "y = " + label + " " + FashionMnist.LABELS.get(label);
    save(
        new ImageGrid("Training image " + SAMPLE_TRAINING_INDEX, 1, 8)
            .add(imageTile(training, SAMPLE_TRAINING_INDEX, caption))
            .render(),
        new Figure(
            "sample_training_image.png",
            "A training image and its label",
            "Training image 5 with its label, as the notebook prints it: " + caption + ".",
            "In [5]"));
  }

  private void plotImage(String file, ImageSet test, int index, String cell, String caption) {
    String label = FashionMnist.LABELS.get(test.label(index));
    save(
        new ImageGrid("Test image " + index, 1, 8)
            .add(imageTile(test, index, "True: " + label))
            .render(),
        new Figure(file, "Test image " + index, caption, cell));
  }

  private static String trueAndPredicted(Evaluation e, int i) {
    return "True: "
        + FashionMnist.LABELS.get(e.trueClasses()[i])
        + "\nPred: "
        + FashionMnist.LABELS.get(e.predicted()[i]);
  }

  private void plotImages(ImageSet test, Evaluation evaluation) {
    ImageGrid grid = new ImageGrid("The first 9 test images", 3, 5);
    for (int i = 0; i < Math.min(9, test.size()); i++) {
      grid.add(imageTile(test, i, trueAndPredicted(evaluation, i)));
    }
    save(
        grid.render(),
        new Figure(
            "plot_images.png",
            "Test images with true and predicted classes",
            "plot_images: nine test images with the true class and the network's prediction under each.",
            "In [5]"));
  }

  private void exampleErrors(ImageSet test, Evaluation evaluation) {
    List<Integer> incorrect = evaluation.incorrect();
    ImageGrid grid = new ImageGrid("Misclassified test images", 3, 5);
    for (int k = 0; k < Math.min(9, incorrect.size()); k++) {
      grid.add(imageTile(test, incorrect.get(k), trueAndPredicted(evaluation, incorrect.get(k))));
    }
    save(
        grid.render(),
        new Figure(
            "example_errors.png",
            "Example errors",
            "plot_example_errors: the first nine test images the network gets wrong ("
                + incorrect.size()
                + " in all).",
            "In [40]"));
  }

  private void confusionMatrix(Evaluation evaluation) {
    int[][] cm = evaluation.confusionMatrix();
    List<String> names = FashionMnist.LABELS;
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(900)
            .height(780)
            .title("Confusion matrix (test set)")
            .xAxisTitle("Predicted")
            .yAxisTitle("True")
            .build();
    List<Number[]> cells = new ArrayList<>();
    int max = 0;
    for (int t = 0; t < cm.length; t++) {
      for (int p = 0; p < cm.length; p++) {
        // Row 0 at the top, as the notebook's matshow draws it.
        cells.add(new Number[] {p, cm.length - 1 - t, cm[t][p]});
        max = Math.max(max, cm[t][p]);
      }
    }
    List<String> yNames = new ArrayList<>(names);
    java.util.Collections.reverse(yNames);
    chart.addSeries("count", names, yNames, cells);
    var styler = chart.getStyler();
    styler.setShowValue(true);
    styler.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    styler.setValueFontColor(Color.BLACK);
    styler.setHeatMapValueDecimalPattern("0");
    styler.setMin(0);
    styler.setMax(Math.max(1, max));
    styler.setRangeColors(
        new Color[] {
          new Color(255, 255, 255),
          new Color(255, 237, 160),
          new Color(254, 178, 76),
          new Color(240, 59, 32)
        });
    styler.setXAxisLabelRotation(35);
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    styler.setLegendVisible(false);
    styler.setChartBackgroundColor(Color.WHITE);
    save(
        BitmapEncoder.getBufferedImage(chart),
        new Figure(
            "confusion_matrix.png",
            "Confusion matrix",
            "plot_confusion_matrix: how often each true class (rows) was predicted as each class (columns); the diagonal is right.",
            "In [41]"));
  }

  private void convWeights(
      NamedTensors tensors,
      String name,
      int inputChannel,
      String file,
      String cell,
      String caption) {
    NamedTensors.Values w = tensors.fetch(name);
    int k = (int) w.shape()[0];
    int inputs = (int) w.shape()[2];
    int filters = (int) w.shape()[3];
    double limit = 0;
    for (float v : w.data()) {
      limit = Math.max(limit, Math.abs(v));
    }
    ImageGrid grid =
        new ImageGrid(
            name + ", input channel " + inputChannel, ImageGrid.squareColumns(filters), 16);
    for (int f = 0; f < filters; f++) {
      float[] tile = new float[k * k];
      for (int y = 0; y < k; y++) {
        for (int x = 0; x < k; x++) {
          tile[y * k + x] = w.data()[((y * k + x) * inputs + inputChannel) * filters + f];
        }
      }
      grid.add(new ImageGrid.Tile(tile, k, k, ImageGrid.seismic(limit), ""));
    }
    save(grid.render(), new Figure(file, name + " (channel " + inputChannel + ")", caption, cell));
  }

  private void convLayer(
      NamedTensors tensors,
      String name,
      ImageSet test,
      int index,
      String file,
      String cell,
      String caption) {
    NamedTensors.Values v = tensors.fetch(name, test.image(index));
    int h = (int) v.shape()[1];
    int w = (int) v.shape()[2];
    int filters = (int) v.shape()[3];
    ImageGrid grid =
        new ImageGrid(name + " on test image " + index, ImageGrid.squareColumns(filters), 112 / h);
    for (int f = 0; f < filters; f++) {
      float[] tile = new float[h * w];
      float max = 0;
      for (int i = 0; i < h * w; i++) {
        tile[i] = v.data()[i * filters + f];
        max = Math.max(max, tile[i]);
      }
      grid.add(new ImageGrid.Tile(tile, h, w, ImageGrid.binary(0, max), ""));
    }
    save(grid.render(), new Figure(file, name + " on test image " + index, caption, cell));
  }

  private void trainingCurve(History history) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(520)
            .title("Training")
            .xAxisTitle("Iteration")
            .yAxisTitle("Accuracy / cost")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    if (!history.steps().isEmpty()) {
      double[] it = history.steps().stream().mapToDouble(History.Step::iteration).toArray();
      XYSeries cost =
          chart.addSeries(
              "training cost (batch)",
              it,
              history.steps().stream().mapToDouble(History.Step::cost).toArray());
      cost.setMarker(SeriesMarkers.NONE);
      cost.setLineColor(new Color(200, 80, 40));
      XYSeries acc =
          chart.addSeries(
              "training accuracy (batch)",
              it,
              history.steps().stream().mapToDouble(History.Step::trainAccuracy).toArray());
      acc.setMarker(SeriesMarkers.NONE);
      acc.setLineColor(new Color(60, 110, 200));
    }
    if (!history.epochs().isEmpty()) {
      XYSeries val =
          chart.addSeries(
              "validation accuracy (epoch end)",
              history.epochs().stream().mapToDouble(History.EpochEnd::iteration).toArray(),
              history.epochs().stream()
                  .mapToDouble(History.EpochEnd::validationAccuracy)
                  .toArray());
      val.setLineColor(new Color(40, 150, 60));
      val.setMarkerColor(new Color(40, 150, 60));
      val.setLineStyle(new BasicStroke(2.5f));
    }
    chart.getStyler().setYAxisMin(0.0);
    save(
        BitmapEncoder.getBufferedImage(chart),
        new Figure(
            "training_curve.png",
            "Training curve",
            "Cost and accuracy on the training batch every 100 iterations (noisy: one batch each), and validation accuracy at each epoch's end.",
            "In [39]"));
  }
}
