package dev.convnet.api;

import dev.convnet.results.Json;
import dev.convnet.serve.Prediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One image's answer.
 *
 * @param className the likeliest class's name
 * @param classIndex the likeliest class's number, the index into {@code classNames}
 * @param probability the likeliest class's probability
 * @param probabilities every class's probability, in the order of {@code classNames}
 * @param classNames the model's class names
 * @param inverted whether the image had a light background and was inverted to light-on-dark, as
 *     Fashion-MNIST's images are
 */
public record Classification(
    String className,
    int classIndex,
    float probability,
    List<Float> probabilities,
    List<String> classNames,
    boolean inverted) {

  /** How many of the likeliest classes {@code predict} and {@code serve} name: three. */
  public static final int TOP = Prediction.TOP;

  /** The answer for the class probabilities {@code p} of the classes {@code classNames}. */
  static Classification of(float[] p, List<String> classNames, boolean inverted) {
    List<Float> probabilities = new ArrayList<>(p.length);
    int best = 0;
    for (int c = 0; c < p.length; c++) {
      probabilities.add(p[c]);
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return new Classification(
        classNames.get(best),
        best,
        p[best],
        List.copyOf(probabilities),
        List.copyOf(classNames),
        inverted);
  }

  /**
   * This answer as {@code predict --json} prints it and {@code serve} returns it: {@code {"file",
   * "class", "label", "probability", "inverted", "top3"}}, for Gson or any JSON writer.
   */
  public Map<String, Object> asJson(String file) {
    float[] p = new float[probabilities.size()];
    for (int c = 0; c < p.length; c++) {
      p[c] = probabilities.get(c);
    }
    return Prediction.of(file, p, inverted, classNames);
  }

  /** {@link #asJson} as one line of JSON, as {@code predict --json} prints it. */
  public String toJsonLine(String file) {
    return Json.LINES.toJson(asJson(file));
  }

  /** The line of JSON {@code predict --json} prints for a {@code file} it could not classify. */
  public static String errorJsonLine(String file, String error) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("file", file);
    line.put("error", error);
    return Json.LINES.toJson(line);
  }

  /** The numbers of the {@code k} likeliest classes, likeliest first. */
  public List<Integer> likeliest(int k) {
    return IntStream.range(0, probabilities.size())
        .boxed()
        .sorted(Comparator.comparing(probabilities::get).reversed())
        .limit(k)
        .toList();
  }
}
