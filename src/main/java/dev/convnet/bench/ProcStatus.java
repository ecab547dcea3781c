package dev.convnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Memory figures of this process, from /proc/self/status (Linux). */
public final class ProcStatus {
  private ProcStatus() {}

  /** Field {@code field} (such as VmRSS or VmHWM) in MB, or -1 where there is no /proc. */
  public static long megabytes(String field) {
    return megabytes(Path.of("/proc/self/status"), field);
  }

  /** Field {@code field} of process {@code pid} in MB, or -1 where it cannot be read. */
  public static long megabytes(long pid, String field) {
    return megabytes(Path.of("/proc/" + pid + "/status"), field);
  }

  private static long megabytes(Path status, String field) {
    try {
      return megabytes(Files.readAllLines(status), field);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Field {@code field} of the lines of a status file, in MB ("VmRSS: 12345 kB" is 12). */
  static long megabytes(List<String> status, String field) {
    for (String line : status) {
      if (line.startsWith(field + ":")) {
        try {
          return Long.parseLong(line.substring(field.length() + 1).replaceAll("[^0-9]", "")) / 1024;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
