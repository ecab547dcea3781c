package dev.convnet.api;

import dev.convnet.data.ImageInput;
import dev.convnet.data.ImageSet;
import dev.convnet.model.Device;
import dev.convnet.results.Evaluation;
import dev.convnet.savedmodel.SavedModelClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded SavedModel that classifies images: this project's export, or any SavedModel with the
 * same {@code serving_default} signature (784 floats in [0, 1] an image in, class probabilities
 * out). Every image is prepared as {@code predict} and {@code serve} prepare it: made grey, fitted
 * into 28x28 and, when its background is light, inverted.
 *
 * <p>Safe to share between threads; close it to free the model's native memory.
 *
 * <pre>{@code
 * try (Classifier classifier = Classifier.load(Path.of("runs/my-run/saved_model"))) {
 *   Classification answer = classifier.classify(Path.of("shoe.png"));
 *   System.out.println(answer.className() + " " + answer.probability());
 * }
 * }</pre>
 */
public final class Classifier implements AutoCloseable {
  private final SavedModelClassifier model;

  private Classifier(SavedModelClassifier model) {
    this.model = model;
  }

  /**
   * Loads the SavedModel in {@code savedModel} on the CPU.
   *
   * @throws IllegalArgumentException when the folder is missing, not a SavedModel, or damaged
   */
  public static Classifier load(Path savedModel) {
    return load(savedModel, Device.CPU);
  }

  /**
   * Loads the SavedModel in {@code savedModel} to run on {@code device}.
   *
   * @throws IllegalArgumentException when the folder is missing, not a SavedModel, or damaged, or
   *     the device is not there
   */
  public static Classifier load(Path savedModel, Device device) {
    return new Classifier(SavedModelClassifier.load(savedModel, device.resolve()));
  }

  /** The name of each class, the class number being the index. */
  public List<String> classNames() {
    return model.classNames();
  }

  /**
   * Classifies the image file {@code file} (PNG, JPEG, GIF or BMP, any size).
   *
   * @throws IllegalArgumentException when the file cannot be read or is not an image it takes
   */
  public Classification classify(Path file) {
    return answer(ImageInput.read(file));
  }

  /**
   * Classifies the image file whose bytes are {@code imageFile}.
   *
   * @throws IllegalArgumentException when the bytes are not an image it takes
   */
  public Classification classify(byte[] imageFile) {
    return answer(ImageInput.read(imageFile, "the image"));
  }

  /** Classifies {@code image}. */
  public Classification classify(BufferedImage image) {
    return answer(ImageInput.prepare(image));
  }

  /**
   * Classifies one image already prepared: 784 floats in [0, 1], row by row, light on dark.
   *
   * @throws IllegalArgumentException when {@code pixels} is not 784 long
   */
  public Classification classifyPixels(float[] pixels) {
    if (pixels.length != ImageInput.PIXELS) {
      throw new IllegalArgumentException(
          "an image is " + ImageInput.PIXELS + " pixels, got " + pixels.length);
    }
    return answer(new ImageInput.Prepared(pixels, false));
  }

  /**
   * Classifies every file of {@code files} in one run of the model.
   *
   * @throws IllegalArgumentException at the first file that cannot be read, naming it
   */
  public List<Classification> classifyAll(List<Path> files) {
    List<ImageInput.Prepared> images = new ArrayList<>(files.size());
    for (Path file : files) {
      images.add(ImageInput.read(file));
    }
    float[] pixels = new float[images.size() * ImageInput.PIXELS];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i).pixels(), 0, pixels, i * ImageInput.PIXELS, ImageInput.PIXELS);
    }
    float[] p = images.isEmpty() ? new float[0] : model.probabilities(pixels, images.size());
    int classes = classNames().size();
    List<Classification> answers = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      float[] row = new float[classes];
      System.arraycopy(p, i * classes, row, 0, classes);
      answers.add(Classification.of(row, classNames(), images.get(i).inverted()));
    }
    return answers;
  }

  /** Classifies every image of {@code images} and counts the right answers, class by class. */
  public Evaluation evaluate(ImageSet images) {
    return model.evaluate(images);
  }

  private Classification answer(ImageInput.Prepared image) {
    return Classification.of(
        model.probabilities(image.pixels(), 1), classNames(), image.inverted());
  }

  /** Frees the model's native memory. */
  @Override
  public void close() {
    model.close();
  }
}
