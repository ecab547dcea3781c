package dev.convnet.train;

/** The cost became NaN or infinite: the weights are no longer usable. */
public class DivergedException extends RuntimeException {
  public DivergedException(String message) {
    super(message);
  }
}
