package examples;

import dev.convnet.api.Classification;
import dev.convnet.api.Classifier;
import java.nio.file.Path;

/** Classifies image files with a trained SavedModel: ClassifyImages SAVED_MODEL FILE... */
public final class ClassifyImages {
  public static void main(String[] args) {
    // begin classify
    try (Classifier classifier = Classifier.load(Path.of(args[0]))) {
      for (int i = 1; i < args.length; i++) {
        Classification answer = classifier.classify(Path.of(args[i]));
        System.out.printf(
            "%s: %s %.1f%%%n", args[i], answer.className(), 100 * answer.probability());
      }
    }
    // end classify
  }
}
