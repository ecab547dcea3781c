package dev.convnet.common;

/** What an error message may repeat of a stranger's text. */
public final class Messages {
  private Messages() {}

  /**
   * {@code text} as a one-line message repeats it: control characters (a line break would split the
   * message, and a log line) escaped as {@code \\uXXXX}, and at most 200 characters.
   */
  public static String echoed(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(200)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return text.codePointCount(0, text.length()) > 200 ? out + "..." : out.toString();
  }
}
