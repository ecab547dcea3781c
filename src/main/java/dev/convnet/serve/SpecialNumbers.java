package dev.convnet.serve;

/**
 * {@code NaN}, {@code Infinity} and {@code -Infinity} in a request body, as TensorFlow Serving's
 * JSON parser takes them (api_rest.md: "NaN" and "Infinity" are accepted for floats), on a strict
 * JSON reader: outside strings each becomes a number literal that no client writes, which {@link
 * #value} turns back. Everything else about the JSON stays strict.
 */
final class SpecialNumbers {
  private SpecialNumbers() {}

  // Valid JSON numbers, spelled so that only this class writes them.
  private static final String NAN = "-0.0e-1000000007";
  private static final String POSITIVE = "1.0e1000000007";
  private static final String NEGATIVE = "-1.0e1000000007";

  /** {@code body} with each special number outside a string replaced by its marker. */
  static String marked(String body) {
    if (body.indexOf("NaN") < 0 && body.indexOf("Infinity") < 0) {
      return body;
    }
    StringBuilder out = new StringBuilder(body.length());
    boolean inString = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\' && i + 1 < body.length()) {
          out.append(body.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
        out.append(c);
      } else if (body.startsWith("NaN", i)) {
        out.append(NAN);
        i += 2;
      } else if (body.startsWith("-Infinity", i)) {
        out.append(NEGATIVE);
        i += "-Infinity".length() - 1;
      } else if (body.startsWith("Infinity", i)) {
        out.append(POSITIVE);
        i += "Infinity".length() - 1;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A number's text as a float: markers back to their values, beyond float32 to infinity. */
  static float value(String number) {
    if (number.equals(NAN)) {
      return Float.NaN;
    }
    return (float) Double.parseDouble(number);
  }
}
