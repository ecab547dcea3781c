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

/** Exercise 8's chart: test accuracy against parameter count, one point per configuration. */
public final class ExerciseChart {
  /** A configuration: its label, trainable parameters and test accuracy. */
  public record Point(String label, long parameters, double accuracy) {}

  private ExerciseChart() {}

  /** Draws {@code points} (sorted by size) into {@code file} as a PNG. */
  public static void write(Path file, List<Point> points) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(520)
            .title("Exercise 8: accuracy against size")
            .xAxisTitle("trainable parameters (log scale)")
            .yAxisTitle("test accuracy")
            .build();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisDecimalPattern("0%");
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    List<Point> sorted =
        points.stream().sorted((a, b) -> Long.compare(a.parameters(), b.parameters())).toList();
    XYSeries series =
        chart.addSeries(
            "configurations",
            sorted.stream().mapToDouble(Point::parameters).toArray(),
            sorted.stream().mapToDouble(Point::accuracy).toArray());
    series.setMarker(SeriesMarkers.CIRCLE);
    series.setLineColor(new Color(50, 100, 200));
    series.setMarkerColor(new Color(50, 100, 200));
    for (Point p : sorted) {
      chart.addAnnotation(
          new AnnotationText(p.label(), p.parameters(), p.accuracy() + 0.006, false));
    }
    try {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
