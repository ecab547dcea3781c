package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The docs name nothing that does not exist: every flag is some command's or script's (or one of
 * the outside tools' listed here), every class or test named in code spans is in the sources, and
 * every path into the project is there.
 */
class DocsNamesTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  /** Flags of the outside tools the docs show: curl, Chromium, TensorBoard, Docker. */
  private static final Set<String> OUTSIDE_FLAGS =
      Set.of("--data-binary", "--headless", "--screenshot", "--window-size", "--logdir", "--rm");

  /**
   * Names in code spans that are not this project's: Java's, TensorFlow's ops and protos, and the
   * words that are spelled in camel case, and the end of an op name (`…WithBias`).
   */
  private static final Set<String> OUTSIDE_NAMES =
      Set.of(
          "ApplyAdam",
          "AutoCloseable",
          "BiasAdd",
          "BufferedImage",
          "IllegalArgumentException",
          "MaxPool",
          "MaxPoolV2",
          "NaN",
          "PredictionLog",
          "PyTorch",
          "ReLU",
          "SavedModel",
          "TensorFlow",
          "UnsatisfiedLinkError",
          "WithBias");

  private static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*[a-z0-9]");
  private static final Pattern CODE =
      Pattern.compile("`([^`\\n]+)`|```[a-z]*\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CAMEL =
      Pattern.compile("(?<![\\w/-])[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\\b");
  private static final Pattern PROJECT_PATH =
      Pattern.compile("(?<![\\w/.-])(?:scripts|src|docs|data|examples|\\.ci)/[\\w./-]*[\\w]");

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    pages.add(ROOT.resolve("data/README.md"));
    return pages;
  }

  /** The page's code: inline spans and fenced blocks, with link targets (anchors) left out. */
  private static List<String> code(Path page) throws IOException {
    String text = Files.readString(page).replaceAll("\\]\\([^)]*\\)", "]");
    List<String> code = new ArrayList<>();
    Matcher m = CODE.matcher(text);
    while (m.find()) {
      code.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return code;
  }

  /** Every flag of every command, negated forms included, and every flag a script takes. */
  private static Set<String> knownFlags() throws IOException {
    Set<String> flags = new HashSet<>(OUTSIDE_FLAGS);
    CommandLine root = Main.commandLine();
    List<CommandLine> commands = new ArrayList<>(root.getSubcommands().values());
    commands.add(root);
    for (CommandLine command : commands) {
      for (OptionSpec option : command.getCommandSpec().options()) {
        for (String name : option.names()) {
          flags.add(name);
          if (option.negatable() && name.startsWith("--")) {
            flags.add("--no-" + name.substring(2));
          }
        }
      }
    }
    try (Stream<Path> scripts = Files.walk(ROOT.resolve("scripts"))) {
      for (Path script :
          scripts
              .filter(Files::isRegularFile)
              .filter(f -> !f.toString().contains("/target/")) // what a peer's build left
              .toList()) {
        Matcher m = FLAG.matcher(Files.readString(script));
        while (m.find()) {
          flags.add(m.group());
        }
      }
    }
    return flags;
  }

  /** The names of every type declared in the sources and tests, nested ones included. */
  private static Set<String> declaredTypes() throws IOException {
    Set<String> types = new HashSet<>();
    Pattern declaration = Pattern.compile("\\b(?:class|record|interface|enum) ([A-Z]\\w*)");
    for (String folder : List.of("src", "examples")) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(folder))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          Matcher m = declaration.matcher(Files.readString(file));
          while (m.find()) {
            types.add(m.group(1));
          }
        }
      }
    }
    return types;
  }

  @Test
  void everyFlagTheDocsNameIsACommandsOrAScripts() throws IOException {
    Set<String> known = knownFlags();
    Set<String> unknown = new TreeSet<>();
    for (Path page : pages()) {
      for (String code : code(page)) {
        Matcher m = FLAG.matcher(code);
        while (m.find()) {
          if (!known.contains(m.group())) {
            unknown.add(ROOT.relativize(page) + ": " + m.group());
          }
        }
      }
    }
    assertTrue(known.contains("--batch-size") && known.contains("--no-batching"), "" + known);
    assertTrue(unknown.isEmpty(), "flags that nothing takes: " + unknown);
  }

  @Test
  void everyClassAndTestTheDocsNameExists() throws IOException {
    Set<String> declared = declaredTypes();
    Set<String> missing = new TreeSet<>();
    for (Path page : pages()) {
      for (String code : code(page)) {
        Matcher m = CAMEL.matcher(code);
        while (m.find()) {
          String name = m.group();
          if (!declared.contains(name) && !OUTSIDE_NAMES.contains(name)) {
            missing.add(ROOT.relativize(page) + ": " + name);
          }
        }
      }
    }
    assertTrue(declared.contains("NotebookGuideTest") && declared.contains("ConvLayer"));
    assertTrue(missing.isEmpty(), "names of nothing in the sources: " + missing);
  }

  @Test
  void everyPathIntoTheProjectExists() throws IOException {
    List<String> ignored = Files.readAllLines(ROOT.resolve(".gitignore"));
    Set<String> missing = new TreeSet<>();
    for (Path page : pages()) {
      Matcher m = PROJECT_PATH.matcher(Files.readString(page));
      while (m.find()) {
        String path = m.group();
        boolean generated =
            ignored.stream().anyMatch(i -> !i.isBlank() && path.startsWith(i.replaceAll("/$", "")));
        if (!generated && !Files.exists(ROOT.resolve(path))) {
          missing.add(ROOT.relativize(page) + ": " + path);
        }
      }
    }
    assertTrue(missing.isEmpty(), "paths to nothing: " + missing);
  }
}
