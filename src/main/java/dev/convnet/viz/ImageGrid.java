package dev.convnet.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A grid of small images with a caption under each, drawn with java.awt, the way the notebook's
 * matplotlib subplots show filters, layer outputs and test images.
 */
public final class ImageGrid {
  /** One tile: row-major values, its size, the colour of each value, a caption (may be empty). */
  public record Tile(
      float[] values, int height, int width, DoubleFunction<Color> colours, String caption) {}

  private static final int MARGIN = 12;
  private static final int GAP = 10;
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  private static final Font CAPTION_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

  private final String title;
  private final int columns;
  private final int pixelSize;
  private final List<Tile> tiles = new ArrayList<>();

  /**
   * @param columns tiles per row (the notebook uses ceil(sqrt(n)))
   * @param pixelSize screen pixels per value, so 5x5 filters and 28x28 images are both readable
   */
  public ImageGrid(String title, int columns, int pixelSize) {
    this.title = title;
    this.columns = columns;
    this.pixelSize = pixelSize;
  }

  public static int squareColumns(int n) {
    return (int) Math.ceil(Math.sqrt(n));
  }

  public ImageGrid add(Tile tile) {
    tiles.add(tile);
    return this;
  }

  /** The tiles, in the order they are drawn: left to right, then top to bottom. */
  public List<Tile> tiles() {
    return List.copyOf(tiles);
  }

  public int columns() {
    return columns;
  }

  /** Screen pixels per value: each value is drawn as a square of this side. */
  public int pixelSize() {
    return pixelSize;
  }

  /** Where {@link #render} draws the top-left value of tile {@code i}. */
  public Point tileOrigin(int i) {
    return origin(layout(), i);
  }

  /** The sizes render draws with, from the tiles, their captions and the title. */
  private record Layout(int cellW, int cellH, int tileH, int titleH, int width, int height) {}

  private Point origin(Layout layout, int i) {
    Tile t = tiles.get(i);
    return new Point(
        MARGIN
            + (i % columns) * layout.cellW()
            + (layout.cellW() - GAP - t.width() * pixelSize) / 2,
        MARGIN + layout.titleH() + (i / columns) * layout.cellH());
  }

  private Layout layout() {
    int tileW = tiles.stream().mapToInt(Tile::width).max().orElse(1) * pixelSize;
    int tileH = tiles.stream().mapToInt(Tile::height).max().orElse(1) * pixelSize;
    boolean captions = tiles.stream().anyMatch(t -> !t.caption().isEmpty());
    // Captions may be two lines ("True: ...", "Pred: ...").
    int captionLines =
        tiles.stream()
            .mapToInt(t -> t.caption().isEmpty() ? 0 : t.caption().split("\n").length)
            .max()
            .orElse(0);
    int captionH = captions ? captionLines * 16 + 4 : 0;
    int captionW = 0;
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics captionMetrics = pg.getFontMetrics(CAPTION_FONT);
    FontMetrics titleMetrics = pg.getFontMetrics(TITLE_FONT);
    for (Tile t : tiles) {
      for (String line : t.caption().split("\n")) {
        captionW = Math.max(captionW, captionMetrics.stringWidth(line));
      }
    }
    pg.dispose();
    int cellW = Math.max(tileW, captionW) + GAP;
    int cellH = tileH + captionH + GAP;
    int rows = (tiles.size() + columns - 1) / columns;
    int titleH = title.isEmpty() ? 0 : 28;
    int width =
        Math.max(2 * MARGIN + columns * cellW - GAP, titleMetrics.stringWidth(title) + 2 * MARGIN);
    int height = 2 * MARGIN + titleH + rows * cellH - GAP;
    return new Layout(cellW, cellH, tileH, titleH, width, height);
  }

  public BufferedImage render() {
    Layout layout = layout();
    int width = layout.width();
    int height = layout.height();
    int cellW = layout.cellW();
    int tileH = layout.tileH();
    BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D pg = probe.createGraphics();
    FontMetrics captionMetrics = pg.getFontMetrics(CAPTION_FONT);
    FontMetrics titleMetrics = pg.getFontMetrics(TITLE_FONT);
    pg.dispose();
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    if (!title.isEmpty()) {
      g.setFont(TITLE_FONT);
      g.drawString(title, (width - titleMetrics.stringWidth(title)) / 2, MARGIN + 18);
    }
    g.setFont(CAPTION_FONT);
    for (int i = 0; i < tiles.size(); i++) {
      Tile t = tiles.get(i);
      Point origin = origin(layout, i);
      int x0 = origin.x;
      int y0 = origin.y;
      for (int y = 0; y < t.height(); y++) {
        for (int x = 0; x < t.width(); x++) {
          g.setColor(t.colours().apply(t.values()[y * t.width() + x]));
          g.fillRect(x0 + x * pixelSize, y0 + y * pixelSize, pixelSize, pixelSize);
        }
      }
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(1));
      g.drawRect(x0 - 1, y0 - 1, t.width() * pixelSize + 1, t.height() * pixelSize + 1);
      g.setColor(Color.BLACK);
      String[] lines = t.caption().isEmpty() ? new String[0] : t.caption().split("\n");
      int cellLeft = MARGIN + (i % columns) * cellW;
      for (int l = 0; l < lines.length; l++) {
        int textX = cellLeft + (cellW - GAP - captionMetrics.stringWidth(lines[l])) / 2;
        g.drawString(lines[l], textX, y0 + tileH + 16 * (l + 1));
      }
    }
    g.dispose();
    return image;
  }

  /** matplotlib's 'binary': 0 is white, the maximum black (the notebook's plot_image). */
  public static DoubleFunction<Color> binary(double min, double max) {
    double range = max > min ? max - min : 1;
    return v -> {
      int level = 255 - (int) Math.round(255 * Math.max(0, Math.min(1, (v - min) / range)));
      return new Color(level, level, level);
    };
  }

  /**
   * A red-white-blue scale like matplotlib's 'seismic', centred on zero so that red is positive and
   * blue negative, as the notebook describes its weight plots; {@code limit} is the shared |max|.
   */
  public static DoubleFunction<Color> seismic(double limit) {
    double l = limit > 0 ? limit : 1;
    return v -> {
      double t = Math.max(-1, Math.min(1, v / l));
      if (t >= 0) {
        int fade = (int) Math.round(255 * (1 - t));
        return new Color(255 - (int) Math.round(127 * Math.max(0, t - 0.5) * 2), fade, fade);
      }
      int fade = (int) Math.round(255 * (1 + t));
      return new Color(fade, fade, 255 - (int) Math.round(127 * Math.max(0, -t - 0.5) * 2));
    };
  }
}
