package dev.convnet.serve;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageSet;
import dev.convnet.savedmodel.SavedModelClassifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Run in a fresh JVM by the tests: prints the SavedModel's classes for the first N test images. */
public final class SavedModelProbe {
  public static void main(String[] args) {
    Path model = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    ImageSet test = FashionMnist.load((Path) null).test();
    try (SavedModelClassifier classifier = SavedModelClassifier.load(model)) {
      long[] classes = classifier.classes(test.images(ImageSet.range(0, n)), n);
      System.out.println(
          Arrays.stream(classes).mapToObj(Long::toString).collect(Collectors.joining(",")));
    }
  }
}
