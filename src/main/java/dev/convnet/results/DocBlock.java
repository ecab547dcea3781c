package dev.convnet.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A block of a Markdown page that a measuring command writes: the text between {@code <!-- begin
 * NAME -->} and {@code <!-- end NAME -->}, so a measured table is never edited by hand and the
 * prose around it stays.
 */
public final class DocBlock {
  private DocBlock() {}

  /**
   * Replaces block {@code name} of {@code page} with {@code content}; the markers must be there.
   */
  public static void replace(Path page, String name, String content) throws IOException {
    String text = Files.readString(page);
    String begin = "<!-- begin " + name + " -->";
    String end = "<!-- end " + name + " -->";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(
          page + " has no block '" + name + "' (" + begin + " ... " + end + ")");
    }
    String updated =
        text.substring(0, from + begin.length())
            + "\n"
            + content.strip()
            + "\n"
            + text.substring(to);
    Path temporary = page.resolveSibling(page.getFileName() + ".part");
    Files.writeString(temporary, updated);
    Files.move(
        temporary, page, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
