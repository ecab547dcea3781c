package dev.convnet.data;

/** A problem with the data files, worded as one line that names the file and the fix. */
public class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
