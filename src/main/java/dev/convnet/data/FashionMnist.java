package dev.convnet.data;

import dev.convnet.common.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Fashion-MNIST (cells In [3]-[5]): finds the four IDX files, checks them, and loads them as 60,000
 * training and 10,000 test images of 28x28 with labels 0-9.
 */
public final class FashionMnist {

  /** The ten class names of cell In [5]; the index is the label. */
  public static final List<String> LABELS =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** Pixels along each side of an image (In [4]'s img_size). */
  public static final int IMAGE_SIDE = 28;

  /** Training images in the official files (the test set has 10,000). */
  public static final int TRAIN_SIZE = 60_000;

  /** Environment variable that names a data folder, as the {@code dataDir} setting does. */
  public static final String DATA_DIR_ENV = "FASHION_MNIST_DIR";

  /** The project's own data folder, relative to the working directory. */
  public static final Path PROJECT_DATA_DIR = Path.of("data", "fashion-mnist");

  /** Where Debian's package {@code dataset-fashion-mnist} installs the files. */
  public static final Path DEBIAN_DATA_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The official download address (the dataset's README lists it). */
  public static final String OFFICIAL_URL =
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  /** One of the four files, with the checksums that identify the official data. */
  public enum DataFile {
    TRAIN_IMAGES(
        "train-images-idx3-ubyte",
        IdxReader.IMAGES_MAGIC,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    TRAIN_LABELS(
        "train-labels-idx1-ubyte",
        IdxReader.LABELS_MAGIC,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "25c81989df183df01b3e8a0aad5dffbe"),
    TEST_IMAGES(
        "t10k-images-idx3-ubyte",
        IdxReader.IMAGES_MAGIC,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "bef4ecab320f06d8554ea6380940ec79"),
    TEST_LABELS(
        "t10k-labels-idx1-ubyte",
        IdxReader.LABELS_MAGIC,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        "bb300cfdad3c16e7a12a480ee83cd310");

    public final String baseName;
    public final int magic;

    /** SHA-256 of the decompressed bytes: Debian recompresses the .gz, so only these are stable. */
    public final String sha256;

    /** MD5 of the official .gz, checked on download. */
    public final String gzMd5;

    DataFile(String baseName, int magic, String sha256, String gzMd5) {
      this.baseName = baseName;
      this.magic = magic;
      this.sha256 = sha256;
      this.gzMd5 = gzMd5;
    }

    /** The file in {@code dir}: the .gz if present, else the plain one, else empty. */
    public Optional<Path> findIn(Path dir) {
      Path gz = dir.resolve(baseName + ".gz");
      if (Files.isRegularFile(gz)) {
        return Optional.of(gz);
      }
      Path plain = dir.resolve(baseName);
      return Files.isRegularFile(plain) ? Optional.of(plain) : Optional.empty();
    }
  }

  /** Whether to compare the decompressed bytes with the official SHA-256 sums. */
  public enum Verify {
    CHECKSUMS,
    FORMAT_ONLY
  }

  /** The loaded data: the notebook's {@code (x_train, y_train), (x_test, y_test)}. */
  public record Data(ImageSet train, ImageSet test, Path directory) {}

  private FashionMnist() {}

  /**
   * The folders searched, in order: {@code $FASHION_MNIST_DIR}, {@code data/fashion-mnist},
   * Debian's folder. An explicit {@code dataDir} replaces the search: it alone is used.
   */
  public static List<Path> searchPath(Path dataDir) {
    if (dataDir != null) {
      return List.of(dataDir);
    }
    List<Path> dirs = new ArrayList<>();
    String env = System.getenv(DATA_DIR_ENV);
    if (env != null && !env.isBlank()) {
      dirs.add(Path.of(env));
    }
    dirs.add(PROJECT_DATA_DIR);
    dirs.add(DEBIAN_DATA_DIR);
    return dirs;
  }

  /** The first folder of {@code dirs} that holds all four files. */
  public static Optional<Path> locate(List<Path> dirs) {
    for (Path dir : dirs) {
      boolean all = true;
      for (DataFile f : DataFile.values()) {
        all &= f.findIn(dir).isPresent();
      }
      if (all) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** The folder to load from ({@code dataDir} may be null), or a one-line error. */
  public static Path locateOrFail(Path dataDir) {
    if (dataDir != null && Files.isRegularFile(dataDir)) {
      throw new InvalidSettingException(
          "dataDir",
          "{dataDir} " + dataDir + " is a file; give the folder that holds the four IDX files");
    }
    return locateOrFail(searchPath(dataDir));
  }

  /**
   * The first of {@code dirs} with all four files, or an error listing the places searched and the
   * fixes.
   */
  public static Path locateOrFail(List<Path> dirs) {
    return locate(dirs)
        .orElseThrow(
            () ->
                new InvalidSettingException(
                    "dataDir",
                    "Fashion-MNIST not found in "
                        + dirs
                        + "; install it with 'sudo apt-get install dataset-fashion-mnist'"
                        + " or run scripts/fetch-data (or point {dataDir} or "
                        + DATA_DIR_ENV
                        + " at a folder with the four IDX files)"));
  }

  /** Finds and loads the data, verifying the official checksums. */
  public static Data load(Path dataDir) {
    return load(locateOrFail(dataDir), Verify.CHECKSUMS);
  }

  /**
   * Finds the data and loads its test set alone (checksums verified), for a program that needs no
   * training images: serve's page examples.
   */
  public static ImageSet loadTest(Path dataDir) {
    return loadPair(
        locateOrFail(dataDir),
        DataFile.TEST_IMAGES,
        DataFile.TEST_LABELS,
        Verify.CHECKSUMS,
        LABELS);
  }

  /**
   * Loads the four files of {@code dir}, checking format, counts, labels and (optionally)
   * checksums.
   */
  public static Data load(Path dir, Verify verify) {
    return load(dir, verify, LABELS);
  }

  /**
   * Loads the four files of {@code dir} as a set of the classes {@code classNames}, whose number
   * bounds the labels: Fashion-MNIST's, or another IDX data set's ({@link IdxDataSet}).
   */
  static Data load(Path dir, Verify verify, List<String> classNames) {
    ImageSet train =
        loadPair(dir, DataFile.TRAIN_IMAGES, DataFile.TRAIN_LABELS, verify, classNames);
    ImageSet test = loadPair(dir, DataFile.TEST_IMAGES, DataFile.TEST_LABELS, verify, classNames);
    if (train.imageSize() != test.imageSize()) {
      throw new DataException(
          dir
              + ": training images are "
              + train.imageSize()
              + " pixels wide but test images "
              + test.imageSize());
    }
    return new Data(train, test, dir);
  }

  private static ImageSet loadPair(
      Path dir, DataFile imagesFile, DataFile labelsFile, Verify verify, List<String> classNames) {
    Path imagesPath = imagesFile.findIn(dir).orElseThrow(() -> missing(dir, imagesFile));
    Path labelsPath = labelsFile.findIn(dir).orElseThrow(() -> missing(dir, labelsFile));
    IdxReader.IdxFile images = readChecked(imagesPath, imagesFile, verify);
    IdxReader.IdxFile labels = readChecked(labelsPath, labelsFile, verify);
    if (images.count() != labels.count()) {
      throw new DataException(
          String.format(
              "%s holds %d images but %s holds %d labels; the files do not belong together, fetch the data again",
              imagesPath, images.count(), labelsPath, labels.count()));
    }
    int rows = images.dimensions()[1];
    int cols = images.dimensions()[2];
    if (rows != cols) {
      throw new DataException(
          imagesPath + ": images are " + rows + "x" + cols + "; square images are expected");
    }
    byte[] labelBytes = labels.data();
    for (int i = 0; i < labelBytes.length; i++) {
      if ((labelBytes[i] & 0xFF) >= classNames.size()) {
        throw new DataException(
            String.format(
                "%s: label %d of image %d is outside 0-%d; the file is corrupt, or the class names"
                    + " are too few",
                labelsPath, labelBytes[i] & 0xFF, i, classNames.size() - 1));
      }
    }
    return new ImageSet(images.data(), labelBytes, rows, classNames);
  }

  private static IdxReader.IdxFile readChecked(Path path, DataFile file, Verify verify) {
    byte[] bytes = IdxReader.readDecompressed(path);
    if (verify == Verify.CHECKSUMS) {
      String actual = hex(digest("SHA-256", bytes));
      if (!actual.equals(file.sha256)) {
        throw new DataException(
            String.format(
                "%s: SHA-256 of the decompressed bytes is %s, expected %s; the file is not the"
                    + " official %s, delete it and fetch the data again (scripts/fetch-data)",
                path, actual, file.sha256, file.baseName));
      }
    }
    return IdxReader.parse(path, bytes, file.magic);
  }

  private static DataException missing(Path dir, DataFile file) {
    return new DataException(
        dir.resolve(file.baseName)
            + "(.gz): file not found; install 'dataset-fashion-mnist' or run scripts/fetch-data");
  }

  /**
   * Downloads the four official .gz files into {@code dir}, each to a temporary name that is
   * renamed only once complete and matching the official MD5; files already there are kept.
   */
  public static List<Path> download(String baseUrl, Path dir) {
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DataException(dir + ": cannot create the data folder (" + e.getMessage() + ")");
    }
    for (DataFile file : DataFile.values()) {
      Path target = dir.resolve(file.baseName + ".gz");
      if (Files.exists(target)) {
        continue;
      }
      Path partial = dir.resolve(file.baseName + ".gz.part");
      String url = baseUrl + file.baseName + ".gz";
      try {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        connection.setConnectTimeout(15_000);
        connection.setReadTimeout(60_000);
        int status = connection.getResponseCode();
        if (status != 200) {
          throw new IOException("HTTP " + status);
        }
        try (InputStream in = connection.getInputStream();
            OutputStream out = new DigestOutputStream(Files.newOutputStream(partial), md5)) {
          in.transferTo(out);
        }
        String actual = hex(md5.digest());
        if (!actual.equals(file.gzMd5)) {
          throw new IOException("MD5 " + actual + " differs from the official " + file.gzMd5);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        written.add(target);
      } catch (IOException | NoSuchAlgorithmException | IllegalArgumentException e) {
        deleteQuietly(partial);
        throw new DataException(
            "download of "
                + url
                + " failed ("
                + e
                + "); install 'dataset-fashion-mnist' with apt-get instead, or copy the four files into "
                + dir);
      }
    }
    return written;
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // Best effort: the failure being reported matters more than a leftover partial file.
    }
  }

  static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
