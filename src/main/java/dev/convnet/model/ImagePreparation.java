package dev.convnet.model;

import java.util.List;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Encoded image files to the network's input, inside the graph, so that a SavedModel can be sent
 * image files (TensorFlow Serving's {@code {"b64": ...}}): each file decoded (its first frame),
 * turned grey, inverted when its border is light (the network knows light objects on black), padded
 * to a square with its border's shade, resized to 28x28 by area and scaled to [0, 1]. The same
 * steps as {@code predict}'s Java preparation: equal pixels for 28x28 grey images; for other files
 * the resize differs slightly (area against repeated halving), and transparency is dropped where
 * {@code predict} reads it as white.
 */
final class ImagePreparation {
  private static final int SIDE = ModelConfig.IMG_SIZE;

  /** Grey level k as a pixel value: k / 255f. */
  private static final float[] LEVELS = new float[256];

  static {
    for (int k = 0; k < LEVELS.length; k++) {
      LEVELS[k] = k / 255f;
    }
  }

  private ImagePreparation() {}

  /** {@code files} {@code [n]} to {@code [n, 784]}, one image after another in a loop. */
  static Operand<TFloat32> prepare(Ops tf, Operand<TString> files) {
    ConcreteFunction more =
        ConcreteFunction.create(
            f -> {
              LoopState s = LoopState.placeholders(f);
              Operand<TBool> below = f.math.less(s.index(), f.size(s.files()));
              return s.signature().output("more", below).build();
            });
    ConcreteFunction next =
        ConcreteFunction.create(
            f -> {
              LoopState s = LoopState.placeholders(f);
              Operand<TString> file = f.gather(s.files(), s.index(), f.constant(0));
              Operand<TFloat32> image =
                  f.reshape(one(f, file), f.constant(new int[] {1, SIDE * SIDE}));
              return Signature.builder()
                  .input("index", s.index())
                  .input("files", s.files())
                  .input("pixels", s.pixels())
                  .output("index", f.math.add(s.index(), f.constant(1)))
                  .output("files", f.identity(s.files()))
                  .output("pixels", f.concat(List.of(s.pixels(), image), f.constant(0)))
                  .build();
            });
    Operand<TFloat32> none = f0(tf);
    var loop = tf.statelessWhile(List.of(tf.constant(0), files, none), more, next);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> pixels = (Operand<TFloat32>) loop.output().get(2);
    return tf.ensureShape(pixels, Shape.of(-1, SIDE * SIDE));
  }

  /**
   * The loop's first value, no image yet, declared {@code [?, 784]}: the loop's output takes its
   * static shape from this, and a [0, 784] would have the signature promise batches of 0.
   */
  private static Operand<TFloat32> f0(Ops tf) {
    return tf.placeholderWithDefault(
        tf.zeros(tf.constant(new int[] {0, SIDE * SIDE}), TFloat32.class),
        Shape.of(-1, SIDE * SIDE));
  }

  /** The loop's variables: the next file's index, the files, the pixels prepared so far. */
  private record LoopState(
      Placeholder<TInt32> index, Placeholder<TString> files, Placeholder<TFloat32> pixels) {
    static LoopState placeholders(Ops f) {
      return new LoopState(
          f.placeholder(TInt32.class, Placeholder.shape(Shape.scalar())),
          f.placeholder(TString.class, Placeholder.shape(Shape.of(-1))),
          f.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIDE * SIDE))));
    }

    Signature.Builder signature() {
      return Signature.builder()
          .input("index", index)
          .input("files", files)
          .input("pixels", pixels);
    }
  }

  /** One encoded file to {@code [28, 28]} in [0, 1], as {@code ImageInput.prepare} does. */
  private static Operand<TFloat32> one(Ops f, Operand<TString> file) {
    Operand<TFloat32> rgb =
        f.dtypes.cast(
            f.image.decodeImage(
                file, TUint8.class, DecodeImage.channels(3L), DecodeImage.expandAnimations(false)),
            TFloat32.class);
    // Luminance, as ImageInput weighs the channels.
    Operand<TFloat32> grey =
        f.sum(f.math.mul(rgb, f.constant(new float[] {0.299f, 0.587f, 0.114f})), f.constant(2));
    Operand<TInt32> size = f.shape(grey);
    Operand<TInt32> h = f.gather(size, f.constant(0), f.constant(0));
    Operand<TInt32> w = f.gather(size, f.constant(1), f.constant(0));
    // The mean of the four borders, corners counted twice, as ImageInput's borderMean.
    Operand<TFloat32> borderSum =
        f.math.addN(
            List.of(
                f.sum(f.gather(grey, f.constant(0), f.constant(0)), f.constant(0)),
                f.sum(f.gather(grey, f.math.sub(h, f.constant(1)), f.constant(0)), f.constant(0)),
                f.sum(f.gather(grey, f.constant(0), f.constant(1)), f.constant(0)),
                f.sum(f.gather(grey, f.math.sub(w, f.constant(1)), f.constant(1)), f.constant(0))));
    Operand<TFloat32> border =
        f.math.div(
            borderSum, f.dtypes.cast(f.math.mul(f.constant(2), f.math.add(h, w)), TFloat32.class));
    Operand<TBool> inverted = f.math.greater(border, f.constant(127.5f));
    Operand<TFloat32> white = f.constant(255f);
    Operand<TFloat32> background =
        f.math.round(f.select(inverted, f.math.sub(white, border), border));
    Operand<TFloat32> source =
        f.clipByValue(
            f.math.round(f.select(inverted, f.math.sub(white, grey), grey)), f.constant(0f), white);
    // Pad to a square with the background, the image centred.
    Operand<TInt32> side = f.math.maximum(h, w);
    Operand<TInt32> top = f.math.floorDiv(f.math.sub(side, h), f.constant(2));
    Operand<TInt32> left = f.math.floorDiv(f.math.sub(side, w), f.constant(2));
    Operand<TInt32> paddings =
        f.stack(
            List.of(
                f.stack(List.of(top, f.math.sub(f.math.sub(side, h), top))),
                f.stack(List.of(left, f.math.sub(f.math.sub(side, w), left)))));
    Operand<TFloat32> square = f.pad(source, paddings, background);
    Operand<TFloat32> small =
        f.image.resizeArea(
            f.expandDims(f.expandDims(square, f.constant(0)), f.constant(3)),
            f.constant(new int[] {SIDE, SIDE}));
    // Byte values, as ImageInput's grey images hold, then each level's float in [0, 1] from a
    // table of level / 255f, the very numbers Java computes (a division by a constant may be
    // rewritten into a product by its reciprocal, which rounds differently).
    Operand<TInt32> levels =
        f.dtypes.cast(f.clipByValue(f.math.round(small), f.constant(0f), white), TInt32.class);
    return f.gather(f.constant(LEVELS), levels, f.constant(0));
  }
}
