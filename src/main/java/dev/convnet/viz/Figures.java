package dev.convnet.viz;

import dev.convnet.data.ImageSet;
import dev.convnet.model.ConvNet;
import dev.convnet.results.Evaluation;
import dev.convnet.results.History;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.DoubleStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
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

  Figures(Path dir) {
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
  /**
   * What the figures show besides the network's own tensors.
   *
   * @param training the training images (In [5] shows one)
   * @param test the test images
   * @param evaluation the network's answers on {@code test}
   * @param history the run's accuracy and cost curves
   */
  public record Inputs(ImageSet training, ImageSet test, Evaluation evaluation, History history) {}

  public static List<Figure> drawAll(Path dir, NamedTensors tensors, Inputs inputs) {
    ImageSet training = inputs.training();
    ImageSet test = inputs.test();
    Evaluation evaluation = inputs.evaluation();
    History history = inputs.history();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    Figures f = new Figures(dir);
    // A small set of one's own may hold fewer images than the notebook's indices reach.
    int image2 = Math.min(IMAGE2_INDEX, test.size() - 1);
    f.sampleImage(training, Math.min(SAMPLE_TRAINING_INDEX, training.size() - 1)); // In [5]
    f.plotImage(
        "plot_image_1.png",
        test,
        IMAGE1_INDEX,
        "In [51]",
        "image1, the first example the notebook looks inside.");
    f.plotImage("plot_image_2.png", test, image2, "In [52]", "image2, the second example.");
    f.plotImages(test, evaluation); // In [40] calls plot_images
    f.plotExampleErrors(test, evaluation); // In [40]
    f.plotConfusionMatrix(evaluation); // In [41]
    f.plotConvWeights(
        tensors,
        ConvNet.WEIGHTS_CONV1,
        0,
        "conv_weights1.png",
        "In [53]",
        "The filters of the first convolutional layer. Red weights react positively to bright pixels,"
            + " blue negatively, white is zero; one colour scale for all.");
    f.plotConvLayer(
        tensors,
        ConvNet.LAYER_CONV1,
        test,
        IMAGE1_INDEX,
        "conv_layer1_image1.png",
        "In [54]",
        "layer_conv1 on image1: each filter's output after the activation and pooling; variations of"
            + " the input, as if lit from different sides.");
    f.plotConvLayer(
        tensors,
        ConvNet.LAYER_CONV1,
        test,
        image2,
        "conv_layer1_image2.png",
        "In [55]",
        "layer_conv1 on image2.");
    f.plotConvWeights(
        tensors,
        ConvNet.WEIGHTS_CONV2,
        0,
        "conv_weights2_channel0.png",
        "In [56]",
        "The second layer's filters for its input channel 0 (one such set per input channel).");
    f.plotConvWeights(
        tensors,
        ConvNet.WEIGHTS_CONV2,
        1,
        "conv_weights2_channel1.png",
        "In [57]",
        "The same filters for input channel 1.");
    f.plotConvLayer(
        tensors,
        ConvNet.LAYER_CONV2,
        test,
        IMAGE1_INDEX,
        "conv_layer2_image1.png",
        "In [58]",
        "layer_conv2 on image1: they respond to lines and patterns rather than to exact pixels.");
    f.plotConvLayer(
        tensors,
        ConvNet.LAYER_CONV2,
        test,
        image2,
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

  /** In [5]: the training image whose label the notebook prints. */
  private void sampleImage(ImageSet training, int index) {
    int label = training.label(index);
    String caption = "y = " + label + " " + training.classNames().get(label);
    save(
        new ImageGrid("Training image " + index, 1, 8)
            .add(imageTile(training, index, caption))
            .render(),
        new Figure(
            "sample_training_image.png",
            "A training image and its label",
            "Training image 5 with its label, as the notebook prints it: " + caption + ".",
            "In [5]"));
  }

  /** In [50] {@code plot_image}: one test image, grey, with its true class. */
  void plotImage(String file, ImageSet test, int index, String cell, String caption) {
    String label = test.classNames().get(test.label(index));
    save(
        new ImageGrid("Test image " + index, 1, 8)
            .add(imageTile(test, index, "True: " + label))
            .render(),
        new Figure(file, "Test image " + index, caption, cell));
  }

  private static String trueAndPredicted(Evaluation e, int i) {
    return "True: "
        + e.classNames().get(e.trueClasses()[i])
        + "\nPred: "
        + e.classNames().get(e.predicted()[i]);
  }

  /**
   * {@code plot_images} (called from In [40]): nine images, true and predicted class under each.
   */
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
            "In [40]"));
  }

  /** In [40] {@code plot_example_errors}: the first nine misclassified test images. */
  void plotExampleErrors(ImageSet test, Evaluation evaluation) {
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

  /** In [41] {@code plot_confusion_matrix}: the matrix as a heatmap with counts. */
  void plotConfusionMatrix(Evaluation evaluation) {
    int[][] cm = evaluation.confusionMatrix();
    List<String> names = evaluation.classNames();
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
    Collections.reverse(yNames);
    chart.addSeries("count", names, yNames, cells);
    var styler = chart.getStyler();
    styler.setShowValue(cm.length <= 20); // beyond that the counts overlap
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
            "plot_confusion_matrix: how often each true class (rows) was predicted as each class"
                + " (columns); the diagonal is right.",
            "In [41]"));
  }

  /** In [48] {@code plot_conv_weights}: one input channel of every filter, red +, blue -. */
  void plotConvWeights(
      NamedTensors tensors,
      String name,
      int inputChannel,
      String file,
      String cell,
      String caption) {
    ImageGrid grid = convWeightsGrid(tensors.fetch(name), name, inputChannel);
    save(grid.render(), new Figure(file, name + " (channel " + inputChannel + ")", caption, cell));
  }

  /**
   * In [48]'s grid: filter {@code f}'s tile holds {@code w[:, :, inputChannel, f]}, coloured on one
   * scale for all filters ({@code vmin}/{@code vmax} in the notebook), ceil(sqrt(n)) columns.
   */
  public static ImageGrid convWeightsGrid(NamedTensors.Values w, String name, int inputChannel) {
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
    return grid;
  }

  /** In [49] {@code plot_conv_layer}: a layer's output for one image, a tile per filter. */
  void plotConvLayer(
      NamedTensors tensors,
      String name,
      ImageSet test,
      int index,
      String file,
      String cell,
      String caption) {
    NamedTensors.Values v = tensors.fetch(name, test.image(index));
    ImageGrid grid = convLayerGrid(v, name + " on test image " + index);
    save(grid.render(), new Figure(file, name + " on test image " + index, caption, cell));
  }

  /** In [49]'s grid: filter {@code f}'s tile holds {@code values[0, :, :, f]}, 0 white. */
  public static ImageGrid convLayerGrid(NamedTensors.Values v, String title) {
    int h = (int) v.shape()[1];
    int w = (int) v.shape()[2];
    int filters = (int) v.shape()[3];
    ImageGrid grid = new ImageGrid(title, ImageGrid.squareColumns(filters), 112 / h);
    for (int f = 0; f < filters; f++) {
      float[] tile = new float[h * w];
      float max = 0;
      for (int i = 0; i < h * w; i++) {
        tile[i] = v.data()[i * filters + f];
        max = Math.max(max, tile[i]);
      }
      grid.add(new ImageGrid.Tile(tile, h, w, ImageGrid.binary(0, max), ""));
    }
    return grid;
  }

  /**
   * The training curve as three panels on one iteration axis: cost, accuracy (zoomed to where the
   * values are) and the learning rate. Each logged batch is drawn faint; over it the mean of the
   * last 100 batches; validation accuracy at each epoch's end as points.
   */
  private void trainingCurve(History history) {
    List<History.Step> steps = history.steps();
    double[] it = steps.stream().mapToDouble(History.Step::iteration).toArray();
    XYChart cost = panel("Cost (cross-entropy)", 300, false);
    XYChart accuracy = panel("Accuracy", 340, false);
    XYChart rate = panel("Learning rate", 200, true);
    if (!steps.isEmpty()) {
      line(
          cost,
          "one batch",
          it,
          steps.stream().mapToDouble(History.Step::cost).toArray(),
          FAINT_COST,
          1f);
      line(
          cost,
          "mean of the last 100 batches",
          it,
          steps.stream().mapToDouble(History.Step::meanCost).toArray(),
          COST,
          2.5f);
      line(
          accuracy,
          "training, one batch",
          it,
          steps.stream().mapToDouble(History.Step::trainAccuracy).toArray(),
          FAINT_ACCURACY,
          1f);
      line(
          accuracy,
          "training, mean of the last 100 batches",
          it,
          steps.stream().mapToDouble(History.Step::meanAccuracy).toArray(),
          ACCURACY,
          2.5f);
      line(
          rate,
          "learning rate",
          it,
          steps.stream().mapToDouble(History.Step::learningRate).toArray(),
          RATE,
          2f);
    }
    List<History.EpochEnd> epochs = history.epochs();
    if (!epochs.isEmpty()) {
      XYSeries validation =
          accuracy.addSeries(
              "validation, end of each epoch",
              epochs.stream().mapToDouble(History.EpochEnd::iteration).toArray(),
              epochs.stream().mapToDouble(History.EpochEnd::validationAccuracy).toArray());
      validation.setLineColor(VALIDATION);
      validation.setMarkerColor(VALIDATION);
      validation.setMarker(SeriesMarkers.CIRCLE);
      validation.setLineStyle(new BasicStroke(2f));
    }
    // Zoom the accuracy axis to where the smoothed and validation values lie.
    double low =
        DoubleStream.concat(
                steps.stream().skip(steps.size() / 5).mapToDouble(History.Step::meanAccuracy),
                epochs.stream().mapToDouble(History.EpochEnd::validationAccuracy))
            .min()
            .orElse(0);
    accuracy.getStyler().setYAxisMin(Math.max(0, Math.floor(low * 20 - 1) / 20));
    accuracy.getStyler().setYAxisMax(1.0);
    accuracy.getStyler().setYAxisDecimalPattern("0%");
    BufferedImage top = BitmapEncoder.getBufferedImage(cost);
    BufferedImage middle = BitmapEncoder.getBufferedImage(accuracy);
    BufferedImage bottom = BitmapEncoder.getBufferedImage(rate);
    BufferedImage all =
        new BufferedImage(
            CURVE_WIDTH,
            top.getHeight() + middle.getHeight() + bottom.getHeight(),
            BufferedImage.TYPE_INT_RGB);
    Graphics2D g = all.createGraphics();
    g.drawImage(top, 0, 0, null);
    g.drawImage(middle, 0, top.getHeight(), null);
    g.drawImage(bottom, 0, top.getHeight() + middle.getHeight(), null);
    g.dispose();
    save(
        all,
        new Figure(
            "training_curve.png",
            "Training curve",
            "Cost, accuracy and learning rate over the run. Faint: the one batch logged every 100"
                + " iterations; bold: the mean of the last 100 batches; points: validation accuracy at"
                + " each epoch's end.",
            "In [39]"));
  }

  private static final int CURVE_WIDTH = 1000;
  private static final Color COST = new Color(200, 80, 40);
  private static final Color FAINT_COST = new Color(200, 80, 40, 70);
  private static final Color ACCURACY = new Color(50, 100, 200);
  private static final Color FAINT_ACCURACY = new Color(50, 100, 200, 70);
  private static final Color VALIDATION = new Color(30, 150, 60);
  private static final Color RATE = new Color(110, 110, 110);

  private static XYChart panel(String title, int height, boolean showXAxisTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(CURVE_WIDTH)
            .height(height)
            .title(title)
            .xAxisTitle(showXAxisTitle ? "Iteration" : "")
            .yAxisTitle("")
            .build();
    XYStyler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.InsideNE);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    chart.getStyler().setXAxisMin(0.0);
    return chart;
  }

  private static void line(
      XYChart chart, String name, double[] x, double[] y, Color color, float width) {
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setLineStyle(new BasicStroke(width));
  }
}
