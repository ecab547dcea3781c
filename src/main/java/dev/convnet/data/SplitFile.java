package dev.convnet.data;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.convnet.common.Messages;
import dev.convnet.common.Records;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code split.json}: which images of a data set of one's own were trained on, held out for
 * validation and tested on, in order, and the class names in label order. A run writes it into its
 * run directory; {@code --data} given the file (or a data folder that holds one) trains on exactly
 * those sets again, and {@code --resume} reads it back.
 *
 * @param schemaVersion this layout's version
 * @param data the data folder, as given
 * @param format {@code folder} (class folders: the parts list the files) or {@code idx} (four IDX
 *     files: the parts are In [6]'s and stay empty)
 * @param classes each class's name, the label being the index
 * @param train the training images
 * @param validation the validation images
 * @param test the test images
 */
public record SplitFile(
    int schemaVersion,
    String data,
    String format,
    List<String> classes,
    Part train,
    Part validation,
    Part test) {
  public static final String FILE_NAME = "split.json";
  public static final int SCHEMA_VERSION = 1;
  public static final String FOLDER = "folder";
  public static final String IDX = "idx";

  /** The sets of a folder of image files at {@code data}, of the classes {@code classes}. */
  public static SplitFile folder(
      String data, List<String> classes, Part train, Part validation, Part test) {
    return new SplitFile(SCHEMA_VERSION, data, FOLDER, classes, train, validation, test);
  }

  /** An IDX set at {@code data}, whose own files fix its sets. */
  public static SplitFile idx(String data, List<String> classes) {
    return new SplitFile(SCHEMA_VERSION, data, IDX, classes, Part.NONE, Part.NONE, Part.NONE);
  }

  /** The same sets, their data folder at {@code value}. */
  public SplitFile withData(String value) {
    return Records.with(this, "data", value);
  }

  /** One set's files, relative to the data folder, and their labels. */
  public record Part(List<String> files, List<Integer> labels) {
    public static final Part NONE = new Part(List.of(), List.of());

    static Part of(ImageFolder.ImageFiles files) {
      List<Integer> labels = new java.util.ArrayList<>(files.labels().length);
      for (byte label : files.labels()) {
        labels.add(label & 0xFF);
      }
      return new Part(files.files(), labels);
    }

    ImageFolder.ImageFiles imageFiles() {
      byte[] bytes = new byte[labels.size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (int) labels.get(i);
      }
      return new ImageFolder.ImageFiles(files, bytes);
    }
  }

  /** Compact: 70,000 file names stay a few megabytes. */
  private static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .create();

  /** Writes this into {@code dir} through a temporary file. */
  public void write(Path dir) {
    Path target = dir.resolve(FILE_NAME);
    Path temporary = dir.resolve(FILE_NAME + ".part");
    try {
      Files.writeString(temporary, GSON.toJson(this) + "\n", StandardCharsets.UTF_8);
      Files.move(
          temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new DataException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Reads {@code file}; an unreadable, foreign or inconsistent one gets one line. */
  public static SplitFile read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DataException(file + " cannot be read as a split file: " + e.getMessage());
    }
    return parse(text, file);
  }

  /**
   * The split file {@code text}, read from {@code file}; a foreign or damaged one gets one line.
   */
  public static SplitFile parse(String text, Path file) {
    SplitFile split;
    try {
      split = GSON.fromJson(text, SplitFile.class);
    } catch (JsonParseException e) {
      // Gson adds a second line (a link to its troubleshooting page): the message stays one line.
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new DataException(file + " cannot be read as a split file: " + why);
    }
    if (split == null || split.schemaVersion() != SCHEMA_VERSION) {
      throw new DataException(
          file + " is not a split file of this version (schema_version " + SCHEMA_VERSION + ")");
    }
    if (split.data() == null || split.classes() == null || split.classes().size() < 2) {
      throw new DataException(file + " names no data folder or fewer than two classes");
    }
    if (!FOLDER.equals(split.format()) && !IDX.equals(split.format())) {
      throw new DataException(
          file + ": format must be folder or idx, not " + Messages.echoed(split.format()));
    }
    for (Part part : new Part[] {split.train(), split.validation(), split.test()}) {
      if (part == null
          || part.files() == null
          || part.labels() == null
          || part.files().size() != part.labels().size()
          || part.labels().stream()
              .anyMatch(l -> l == null || l < 0 || l >= split.classes().size())) {
        throw new DataException(file + ": a set's files and labels disagree; the file is damaged");
      }
    }
    return split;
  }
}
