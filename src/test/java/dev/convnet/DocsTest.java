package dev.convnet;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The documentation's promises that a machine can check: links, headings, and its size. */
class DocsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  /** [text](target) and ![alt](target), not inside code. */
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]+)\\)");

  private static List<Path> pages() throws IOException {
    List<Path> pages =
        new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("data/README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** The page's text without fenced code blocks and inline code, where links are not links. */
  private static String prose(Path page) throws IOException {
    return Files.readString(page).replaceAll("(?s)```.*?```", "").replaceAll("`[^`\\n]*`", "");
  }

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
  static String anchor(String heading) {
    return heading
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N} _-]", "")
        .replace(' ', '-');
  }

  private static Set<String> anchors(Path page) throws IOException {
    Set<String> anchors = new HashSet<>();
    for (String line : Files.readString(page).replaceAll("(?s)```.*?```", "").split("\n")) {
      if (line.startsWith("#")) {
        anchors.add(anchor(line.replaceFirst("^#+", "")));
      }
    }
    return anchors;
  }

  @Test
  void everyLinkInTheDocsReachesAFileAndHeadingThatExist() throws IOException {
    List<Executable> checks = new ArrayList<>();
    for (Path page : pages()) {
      Matcher m = LINK.matcher(prose(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("[a-z]+:.*")) {
          continue; // an outside address: not checked here, there is no network
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String heading = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path linked = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        checks.add(
            () -> {
              assertTrue(
                  Files.exists(linked), ROOT.relativize(page) + " links to missing " + target);
              if (heading != null) {
                assertTrue(
                    anchors(linked).contains(heading),
                    ROOT.relativize(page) + " links to a heading that is not there: " + target);
              }
            });
      }
    }
    assertTrue(checks.size() > 20, "the docs link to each other: " + checks.size() + " links");
    assertAll(checks);
  }

  @Test
  void anchorsAreGitHubs() {
    assertTrue(anchor("Notebook cell → Java").equals("notebook-cell--java"));
    assertTrue(anchor("The report").equals("the-report"));
    assertTrue(anchor("metrics.json").equals("metricsjson"));
  }

  @Test
  void theReadmeIsShort() throws IOException {
    long lines = Files.readAllLines(ROOT.resolve("README.md")).size();
    assertTrue(lines <= 200, "README.md has " + lines + " lines; the rest belongs in docs/");
  }

  /**
   * A code block marked {@code <!-- from FILE NAME -->}: FILE's lines between its begin and end.
   */
  private static final Pattern FROM =
      Pattern.compile("<!-- from (\\S+) (\\S+) -->\n```\\w*\n(.*?)\n```", Pattern.DOTALL);

  @Test
  void theJavaApiPageShowsTheExamplesOwnCode() throws IOException {
    Matcher m = FROM.matcher(Files.readString(ROOT.resolve("docs/java-api.md")));
    List<Executable> checks = new ArrayList<>();
    while (m.find()) {
      Path file = ROOT.resolve(m.group(1));
      String name = m.group(2);
      String shown = m.group(3);
      String source = m.group(1);
      checks.add(
          () -> {
            Matcher block =
                Pattern.compile(
                        "(?m)^[ \\t]*(?://|<!--) begin "
                            + name
                            + ".*\\n((?s:.*?))^[ \\t]*(?://|<!--) end "
                            + name)
                    .matcher(Files.readString(file));
            assertTrue(block.find(), file + " has no block " + name);
            assertEquals(
                block.group(1).stripTrailing().stripIndent(),
                shown,
                "docs/java-api.md's " + name + " differs from " + source);
          });
    }
    assertTrue(checks.size() >= 5, "the page shows the examples: " + checks.size());
    assertAll(checks);
  }

  /**
   * Every public type and member of the API has a Javadoc comment (doclint checks the comments'
   * HTML and references when the test command builds the API's Javadoc).
   */
  @Test
  void everyPublicDeclarationOfTheApiIsDescribed() throws IOException {
    List<String> undescribed = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("src/main/java/dev/convnet/api"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          boolean declaration = line.startsWith("public ");
          if (!declaration) {
            continue;
          }
          int above = i - 1;
          if (above >= 0 && lines.get(above).strip().equals("@Override")) {
            continue; // described where it is declared
          }
          while (above >= 0 && lines.get(above).strip().startsWith("@")) {
            above--;
          }
          if (above < 0 || !lines.get(above).strip().endsWith("*/")) {
            undescribed.add(file.getFileName() + ":" + (i + 1) + " " + line);
          }
        }
      }
    }
    assertTrue(undescribed.isEmpty(), "public API without a comment: " + undescribed);
  }
}
