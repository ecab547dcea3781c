package dev.convnet.run;

import dev.convnet.common.InvalidSettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * The folder a run writes into: never one that already holds files unless forced, and never one
 * that another process is writing (an OS file lock that dies with its process).
 */
public final class RunDirectory {
  /** The lock file; the OS lock on it, not the file, marks the folder in use. */
  public static final String LOCK_FILE = ".convnet.lock";

  private RunDirectory() {}

  /**
   * A new, empty {@code runs/<yyyyMMdd-HHmmss>}, relative to the working directory, created here:
   * two runs started in the same second get {@code -2}, {@code -3}... rather than one folder.
   */
  public static Path createDefault() {
    return createDefault("");
  }

  /** {@link #createDefault()} with {@code prefix} before the time stamp, such as "exercises-". */
  public static Path createDefault(String prefix) {
    String stamp =
        prefix + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path runs = Path.of("runs");
    try {
      Files.createDirectories(runs);
      for (int n = 1; ; n++) {
        Path candidate = runs.resolve(n == 1 ? stamp : stamp + "-" + n);
        try {
          return Files.createDirectory(candidate); // atomic: exactly one process wins a name
        } catch (FileAlreadyExistsException taken) {
          // another run has it; try the next name
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create a run directory in " + runs + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@code dir} is missing or holds nothing but a lock file. */
  public static boolean isEmptyOrMissing(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.allMatch(p -> p.getFileName().toString().equals(LOCK_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses {@code dir} unless it is missing or empty, or {@code force} is set; creates nothing.
   */
  public static void check(Path dir, boolean force) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InvalidSettingException(
          "runDir", "{runDir} " + dir + " is a file, not a folder; choose another");
    }
    if (!force && !isEmptyOrMissing(dir)) {
      throw new InvalidSettingException(
          "runDir",
          "{runDir} "
              + dir
              + " already holds files; choose another, or add {force} to replace what this run"
              + " writes there");
    }
  }

  /** A held run directory; closing releases it. */
  public static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private Lock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // The OS releases the lock with the process anyway.
      }
    }
  }

  /**
   * Creates {@code dir} if needed and takes its lock, or refuses in one line when another process
   * (or this one) holds it. The lock is the OS's: a killed run leaves none behind.
   */
  public static Lock lock(Path dir) {
    try {
      Files.createDirectories(dir);
      FileChannel channel =
          FileChannel.open(
              dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        throw new IllegalStateException(
            "run directory "
                + dir
                + " is in use by another training process; wait for it, or choose another one");
      }
      return new Lock(channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create or lock run directory " + dir + ": " + e.getMessage(), e);
    }
  }
}
