package dev.convnet.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.DoubleStream;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The race to accuracy: validation accuracy against training seconds, a point per epoch and one
 * curve per run, each ending in its test accuracy and labelled there, with the goals drawn as
 * markers. The seconds axis is logarithmic: a 20 s run beside a 300 s one.
 */
public final class RaceChart {
  /**
   * One run: its label, the training seconds and validation accuracy at each epoch's end, and its
   * final training seconds and test accuracy.
   */
  public record Curve(
      String label,
      double[] seconds,
      double[] validation,
      double finalSeconds,
      double testAccuracy) {}

  /** A goal: this test accuracy in at most these training seconds and epochs of images. */
  public record Goal(double seconds, double accuracy, double epochs) {
    /** "91% in 20 s, 2 epochs". */
    public String describe() {
      return String.format(
          Locale.ROOT, "%.0f%% in %.0f s, %.0f epochs", accuracy * 100, seconds, epochs);
    }

    /** Whether a run of this test accuracy, training seconds and epochs reached the goal. */
    public boolean reachedBy(double testAccuracy, double trainSeconds, double runEpochs) {
      return testAccuracy >= accuracy && trainSeconds <= seconds && runEpochs <= epochs;
    }

    String label() {
      return "goal: " + describe();
    }
  }

  private static final Color[] COLORS = {
    new Color(220, 90, 30), new Color(50, 100, 200), new Color(40, 150, 70), new Color(150, 60, 170)
  };
  private static final Color GOAL = new Color(200, 30, 30);

  private RaceChart() {}

  /**
   * A label's centre at {@code (x, y)}, moved down a line at a time while it would overlap one
   * already placed: {x, y, half width}.
   */
  private static double[] place(
      List<double[]> placed, String label, double x, double y, double span) {
    double half = label.length() * 7.2 / 2 / 760 * span;
    double line = 0.0035;
    // Each move goes a line below the label in the way, so at most one move per label placed.
    for (int moves = 0, limit = placed.size(); moves <= limit; moves++) {
      double[] blocking = null;
      for (double[] other : placed) {
        if (Math.abs(other[0] - x) < other[2] + half && Math.abs(other[1] - y) < line * 0.999) {
          blocking = other;
        }
      }
      if (blocking == null) {
        break;
      }
      y = blocking[1] - line;
    }
    return new double[] {x, y, half};
  }

  /**
   * Where a label's centre goes so that it starts just right of {@code x} ({@code side} 1) or ends
   * just left of it (-1), in the plot's units (goals to the left, results to the right: apart).
   */
  private static double beside(double x, String label, double span, int side) {
    double plotPixels = 760;
    double pixels = 12 + label.length() * 7.2 / 2;
    return x + side * pixels / plotPixels * span;
  }

  /** Draws {@code curves} and {@code goals} into {@code file} as a PNG. */
  public static void write(Path file, String title, List<Curve> curves, List<Goal> goals) {
    XYChart chart =
        new XYChartBuilder()
            .width(1150)
            .height(560)
            .title(title)
            .xAxisTitle("training seconds (logarithmic)")
            .yAxisTitle("accuracy")
            .build();
    var styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setLegendVisible(true);
    styler.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    styler.setYAxisDecimalPattern("0.0%");
    double[] xs =
        DoubleStream.concat(
                curves.stream()
                    .flatMapToDouble(
                        c ->
                            DoubleStream.concat(
                                DoubleStream.of(c.seconds()), DoubleStream.of(c.finalSeconds()))),
                goals.stream().mapToDouble(Goal::seconds))
            .filter(x -> x > 0)
            .toArray();
    double[] ys =
        DoubleStream.concat(
                curves.stream()
                    .flatMapToDouble(
                        c ->
                            DoubleStream.concat(
                                DoubleStream.of(c.validation()),
                                DoubleStream.of(c.testAccuracy()))),
                goals.stream().mapToDouble(Goal::accuracy))
            .toArray();
    double xMin = DoubleStream.of(xs).min().orElse(1) / 1.5;
    double xMax = DoubleStream.of(xs).max().orElse(10) * 2.5; // room for the last label
    double span = Math.log10(xMax) - Math.log10(xMin);
    // The axis is log10(seconds), labelled in seconds (XChart's own log axis labels decades only).
    styler.setXAxisMin(Math.log10(xMin));
    styler.setXAxisMax(Math.log10(xMax));
    chart.setCustomXAxisTickLabelsFormatter(
        x -> String.format(Locale.ROOT, "%.0f s", Math.pow(10, x)));
    double low = DoubleStream.of(ys).min().orElse(0.8);
    double high = DoubleStream.of(ys).max().orElse(1.0);
    // Half-point steps, and room above the highest point for the labels.
    styler.setYAxisMin(Math.floor(low * 200 - 1) / 200);
    styler.setYAxisMax(Math.min(1.0, Math.ceil(high * 200 + 1) / 200));
    styler.setYAxisTickMarkSpacingHint(40);

    List<double[]> placed = new ArrayList<>(); // each label's centre and half width
    for (Goal g : goals) {
      String label = g.label();
      placed.add(
          place(
              placed,
              label,
              beside(Math.log10(g.seconds()), label, span, -1),
              g.accuracy() + 0.0015,
              span));
    }
    for (int i = 0; i < curves.size(); i++) {
      Curve c = curves.get(i);
      Color color = COLORS[i % COLORS.length];
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int k = 0; k < c.seconds().length; k++) {
        if (c.seconds()[k] > 0) {
          x.add(Math.log10(c.seconds()[k]));
          y.add(c.validation()[k]);
        }
      }
      if (!x.isEmpty()) {
        XYSeries validation = chart.addSeries(c.label() + ": validation, each epoch", x, y);
        validation.setLineColor(color);
        validation.setMarkerColor(color);
        validation.setMarker(SeriesMarkers.CIRCLE);
        validation.setLineStyle(new BasicStroke(2f));
      }
      double endX = Math.log10(Math.max(c.finalSeconds(), 1e-3));
      XYSeries test =
          chart.addSeries(
              c.label() + ": test, at the end",
              new double[] {endX},
              new double[] {c.testAccuracy()});
      test.setMarker(SeriesMarkers.DIAMOND);
      test.setMarkerColor(color);
      test.setLineColor(color);
      String label =
          String.format(
              Locale.ROOT,
              "%s: %.2f%% test in %.0f s",
              c.label(),
              c.testAccuracy() * 100,
              c.finalSeconds());
      placed.add(place(placed, label, beside(endX, label, span, 1), c.testAccuracy(), span));
      chart.addAnnotation(
          new AnnotationText(
              label, placed.get(placed.size() - 1)[0], placed.get(placed.size() - 1)[1], false));
    }
    for (int i = 0; i < goals.size(); i++) {
      Goal g = goals.get(i);
      XYSeries goal =
          chart.addSeries(
              g.label(), new double[] {Math.log10(g.seconds())}, new double[] {g.accuracy()});
      goal.setMarker(SeriesMarkers.CROSS);
      goal.setMarkerColor(GOAL);
      goal.setLineColor(GOAL);
      chart.addAnnotation(new AnnotationText(g.label(), placed.get(i)[0], placed.get(i)[1], false));
    }
    try {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
