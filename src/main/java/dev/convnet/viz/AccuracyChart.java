package dev.convnet.viz;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Test accuracy against a cost, one labelled point per configuration: exercise 8's accuracy against
 * parameters, the recipes' accuracy against training seconds.
 */
public final class AccuracyChart {
  /** A configuration: its label, its cost (parameters, seconds) and its test accuracy. */
  public record Point(String label, double cost, double accuracy) {}

  /**
   * The chart's words and scale.
   *
   * @param title above the chart
   * @param costAxis the x axis's title
   * @param logarithmic whether the x axis is logarithmic
   */
  public record Axes(String title, String costAxis, boolean logarithmic) {}

  private AccuracyChart() {}

  /** Draws {@code points} (sorted by cost) into {@code file} as a PNG. */
  public static void write(Path file, Axes axes, List<Point> points) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(520)
            .title(axes.title())
            .xAxisTitle(axes.costAxis())
            .yAxisTitle("test accuracy")
            .build();
    chart.getStyler().setXAxisLogarithmic(axes.logarithmic());
    chart.getStyler().setYAxisDecimalPattern("0%");
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    List<Point> sorted =
        points.stream().sorted((a, b) -> Double.compare(a.cost(), b.cost())).toList();
    XYSeries series =
        chart.addSeries(
            "configurations",
            sorted.stream().mapToDouble(Point::cost).toArray(),
            sorted.stream().mapToDouble(Point::accuracy).toArray());
    series.setMarker(SeriesMarkers.CIRCLE);
    series.setLineColor(new Color(50, 100, 200));
    series.setMarkerColor(new Color(50, 100, 200));
    for (Point p : sorted) {
      chart.addAnnotation(new AnnotationText(p.label(), p.cost(), p.accuracy() + 0.003, false));
    }
    try {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
