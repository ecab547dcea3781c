package dev.convnet.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convnet.data.DataException;
import dev.convnet.data.IdxReader;
import dev.convnet.data.ImageInput;
import dev.convnet.data.SplitFile;
import dev.convnet.savedmodel.Instances;
import dev.convnet.savedmodel.Warmup;
import dev.convnet.serve.ServingApi;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of every parser a stranger's bytes reach: {@code serve}'s
 * request bodies (JSON, gzip), image files as {@code predict} and {@code serve} prepare them, and
 * what {@code train --data} reads (IDX files, split.json), and the warm-up file a SavedModel
 * carries.
 *
 * <p>The contract of each target: for any input, a result or the project's own refusal (the typed
 * exception whose one-line message becomes the command line's error or the 400), with no more
 * memory allocated than the input's size (or the documented decoding cap) justifies; never another
 * exception or an OutOfMemoryError. Jazzer's own {@code -timeout} bounds each input's time while
 * fuzzing. The test command replays each target's committed inputs (src/test/resources/dev/convnet/
 * fuzz/FuzzTargetsInputs/TARGET/) in seconds; {@code JAZZER_FUZZ=1} fuzzes (docs/reliability.md).
 */
class FuzzTargets {
  private static final Path SOURCE = Path.of("fuzz-input");

  /** How long {@code JAZZER_FUZZ=1} fuzzes a target. */
  private static final String FUZZ_FOR = "5m";

  /**
   * While fuzzing, an input that takes longer than this is a finding (a hang): each takes
   * milliseconds. The test command's replay asserts no time, as the machine may be busy.
   */
  private static final long INPUT_NANOS = 1_000_000_000L;

  /** The gzip target's body limit: small, so that bombs are found quickly. */
  private static final long GZIP_LIMIT = 64 << 10;

  private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null;

  static {
    // Each parser once, on valid and on broken bytes, before any input is measured: the first use
    // of a class loads it (and, while fuzzing, instruments it) on the measuring thread.
    byte[][] warmUp = {
      "{\"instances\": [[0.5]]}".getBytes(StandardCharsets.UTF_8), {0x1f, (byte) 0x8b, 8, 0}, {}
    };
    for (byte[] bytes : warmUp) {
      for (Runnable parse :
          List.<Runnable>of(
              () -> ServingApi.parsePredict(new String(bytes, StandardCharsets.UTF_8)),
              () -> ServingApi.gunzip(bytes, GZIP_LIMIT),
              () -> ImageInput.read(bytes, SOURCE.toString()),
              () -> IdxReader.parse(SOURCE, bytes, IdxReader.IMAGES_MAGIC),
              () -> SplitFile.parse(new String(bytes, StandardCharsets.UTF_8), SOURCE),
              () -> Warmup.parse(bytes, SOURCE))) {
        try {
          parse.run();
        } catch (RuntimeException e) {
          // refused, as most of these are: the classes are loaded all the same
        }
      }
    }
  }

  /** Bytes this thread has allocated so far (HotSpot counts them per thread). */
  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /**
   * What any input may allocate beyond its share: a class first used (the warm-up cannot reach
   * every one) is loaded and, while fuzzing, instrumented on the measuring thread.
   */
  private static final long BASE_BYTES = 32 << 20;

  /**
   * What parsing may allocate for each byte of input, most of it short-lived: text parsed into
   * numbers and strings, and while fuzzing Jazzer's own hooks on every comparison of strings.
   */
  private static final long PER_BYTE = 256;

  /**
   * Runs {@code parse} held to the contract's bounds: at most {@code bytes} allocated on this
   * thread, and while fuzzing less than {@link #INPUT_NANOS}.
   */
  private static void bounded(String what, long bytes, Runnable parse) {
    long before = allocated();
    long start = System.nanoTime();
    parse.run();
    long used = allocated() - before;
    long took = System.nanoTime() - start;
    assertTrue(used <= bytes, what + " allocated " + used + " bytes, more than " + bytes);
    assertTrue(!FUZZING || took < INPUT_NANOS, what + " took " + took / 1_000_000 + " ms");
  }

  private static void assertOneLine(String message) {
    assertTrue(message != null && !message.isBlank(), "a message");
    assertFalse(message.contains("\n"), "one line: " + message);
  }

  /** A refusal of an input read from {@link #SOURCE}: one line, naming it. */
  private static void assertNamesSource(RuntimeException e) {
    assertTrue(e.getMessage().startsWith(SOURCE.toString()), "names the input: " + e.getMessage());
    assertOneLine(e.getMessage());
  }

  /** A refusal of the server's: TensorFlow Serving's 400 or 413, one line. */
  private static void assertServerRefusal(ServingApi.ApiException e) {
    assertTrue(e.status() == 400 || e.status() == 413, "status " + e.status());
    assertOneLine(e.getMessage());
  }

  /** POST :predict bodies, row ("instances") and columnar ("inputs"), pixels or b64 files. */
  @FuzzTest(maxDuration = FUZZ_FOR)
  void predictRequestBody(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    // JSON text is parsed as a stream into one float array of at most 1,024 images (3.2 MB).
    bounded(
        "a predict body",
        PER_BYTE * body.length + BASE_BYTES,
        () -> {
          try {
            ServingApi.PredictRequest request = ServingApi.parsePredict(text);
            assertTrue(
                request.n() >= 0 && request.n() <= ServingApi.MAX_INSTANCES, "n " + request.n());
            if (request.instances() instanceof Instances.Pixels pixels) {
              assertEquals((long) request.n() * ImageInput.PIXELS, pixels.values().length);
            }
          } catch (ServingApi.ApiException e) {
            assertServerRefusal(e);
          }
        });
  }

  /** Gzip request bodies, inflated within the body limit. */
  @FuzzTest(maxDuration = FUZZ_FOR)
  void gzipRequestBody(byte[] body) {
    bounded(
        "a gzip body",
        4 * GZIP_LIMIT + 8L * body.length + BASE_BYTES,
        () -> {
          try {
            byte[] inflated = ServingApi.gunzip(body, GZIP_LIMIT);
            assertTrue(inflated.length <= GZIP_LIMIT, "inflated " + inflated.length);
          } catch (ServingApi.ApiException e) {
            assertServerRefusal(e);
          }
        });
  }

  /** Image files (PNG, JPEG, GIF, BMP) through the headers' checks and the decoding. */
  @FuzzTest(maxDuration = FUZZ_FOR)
  void imageFile(byte[] file) {
    checkImage(file);
  }

  /** Image preparation's contract: 784 pixels in [0, 1], or a refusal naming the file. */
  static void checkImage(byte[] file) {
    // Decoding is capped at DECODE_PIXELS (4 million): at most 8 bytes a pixel (16-bit RGBA)
    // for the raster, and as much again for the decoder's own buffers.
    bounded(
        "an image file",
        16 * ImageInput.DECODE_PIXELS + PER_BYTE * file.length + BASE_BYTES,
        () -> {
          try {
            ImageInput.Prepared prepared = ImageInput.read(file, SOURCE.toString());
            assertEquals(ImageInput.PIXELS, prepared.pixels().length);
            for (float p : prepared.pixels()) {
              assertTrue(p >= 0 && p <= 1, "pixel " + p);
            }
          } catch (IllegalArgumentException e) {
            assertNamesSource(e);
          }
        });
  }

  /** IDX files of any data set, images or labels. */
  @FuzzTest(maxDuration = FUZZ_FOR)
  void idxFile(FuzzedDataProvider data) {
    int magic = data.consumeBoolean() ? IdxReader.IMAGES_MAGIC : IdxReader.LABELS_MAGIC;
    checkIdx(data.consumeRemainingAsBytes(), magic);
  }

  /** The IDX reader's contract: a file that holds what its header promises, or a DataException. */
  static void checkIdx(byte[] bytes, int magic) {
    bounded(
        "an IDX file",
        4L * bytes.length + BASE_BYTES,
        () -> {
          try {
            IdxReader.IdxFile file = IdxReader.parse(SOURCE, bytes, magic);
            long payload = 1;
            for (int d : file.dimensions()) {
              payload *= d;
            }
            assertEquals(
                payload, file.data().length, "a parsed file holds what its header promises");
          } catch (DataException e) {
            assertNamesSource(e);
          }
        });
  }

  /** split.json files, which {@code train --data} and {@code --resume} read. */
  @FuzzTest(maxDuration = FUZZ_FOR)
  void splitFile(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    bounded(
        "a split file",
        PER_BYTE * bytes.length + BASE_BYTES,
        () -> {
          try {
            assertTrue(SplitFile.parse(text, SOURCE).classes().size() >= 2);
          } catch (DataException e) {
            assertNamesSource(e);
          }
        });
  }

  /** The warm-up file a SavedModel carries (TFRecords of PredictionLog protos). */
  @FuzzTest(maxDuration = FUZZ_FOR)
  void warmupFile(byte[] bytes) {
    bounded(
        "a warm-up file",
        PER_BYTE * bytes.length + BASE_BYTES,
        () -> {
          try {
            for (Warmup.Request request : Warmup.parse(bytes, SOURCE)) {
              assertTrue(request.n() >= 0, "n " + request.n());
            }
          } catch (IllegalArgumentException e) {
            assertNamesSource(e);
          }
        });
  }
}
