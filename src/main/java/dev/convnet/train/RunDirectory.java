package dev.convnet.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/** The folder a run writes into; never one that already holds files unless forced. */
public final class RunDirectory {
  private RunDirectory() {}

  /** {@code runs/<yyyyMMdd-HHmmss>}, relative to the working directory. */
  public static Path defaultPath() {
    return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  public static boolean isEmptyOrMissing(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Checks that {@code dir} may be written (see {@link #check}) and creates it.
   */
  public static Path prepare(Path dir, boolean force) {
    check(dir, force);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run directory " + dir + ": " + e.getMessage(), e);
    }
    return dir;
  }

  /** Refuses {@code dir} unless it is missing or empty, or {@code force} is set; creates nothing. */
  public static void check(Path dir, boolean force) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("run directory " + dir + " is a file; choose another --run-dir");
    }
    if (!force && !isEmptyOrMissing(dir)) {
      throw new IllegalArgumentException("run directory " + dir + " already holds files; choose another --run-dir, or add --force to replace what this run writes there");
    }
  }

  /** Deletes {@code path} and everything under it, if it exists. */
  public static void deleteTree(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
