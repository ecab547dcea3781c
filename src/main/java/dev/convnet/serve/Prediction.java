package dev.convnet.serve;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** One image's answer as {@code predict --json} prints it and {@code serve} returns it. */
public final class Prediction {
  /** How many of the likeliest classes an answer lists. */
  public static final int TOP = 3;

  private Prediction() {}

  /**
   * {@code {"file", "class", "label", "probability", "inverted", "top3"}} for an image whose class
   * probabilities are {@code p}, each class labelled by its name among {@code classNames}.
   */
  public static Map<String, Object> of(
      String file, float[] p, boolean inverted, List<String> classNames) {
    List<Integer> top = likeliest(p);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("file", file);
    line.putAll(entry(top.get(0), p, classNames));
    line.put("inverted", inverted);
    line.put("top3", top.stream().map(c -> entry(c, p, classNames)).toList());
    return line;
  }

  /** The classes in order of probability, for a line of text. */
  public static List<Integer> likeliest(float[] p) {
    return IntStream.range(0, p.length)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer c) -> -p[c]))
        .limit(TOP)
        .toList();
  }

  /** {"class": c, "label": ..., "probability": p[c]}. */
  private static Map<String, Object> entry(int c, float[] p, List<String> classNames) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("class", c);
    entry.put("label", classNames.get(c));
    entry.put("probability", p[c]);
    return entry;
  }
}
