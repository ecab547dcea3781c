package dev.convnet.cli;

import dev.convnet.api.Data;
import dev.convnet.api.Measurements;
import dev.convnet.api.Precisions;
import dev.convnet.model.Device;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options several commands share, as picocli mixins. */
final class CommonOptions {
  private CommonOptions() {}

  /** {@code --data-dir}: where the four IDX files are. */
  static final class DataDir {
    static final String FLAG = "--data-dir";

    @Option(
        names = FLAG,
        paramLabel = "DIR",
        description =
            "Folder with the four IDX files (.gz or plain); only there when given. Default:"
                + " $FASHION_MNIST_DIR, data/fashion-mnist, /usr/share/datasets/fashion-mnist.")
    Path dataDir;
  }

  /** {@code --data}: images of one's own in place of Fashion-MNIST. */
  static final class OwnDataOption {
    static final String FLAG = "--data";

    @Option(
        names = FLAG,
        paramLabel = "PATH",
        description =
            "Your own images instead of Fashion-MNIST: a folder of class folders (any image files"
                + " predict reads; a test/ or train/ + test/ layout is kept, else a seeded seventh"
                + " of each class is held out for testing), a folder with the four IDX files of"
                + " any 28x28 set (classes.txt names the classes), or a run's split.json."
                + " docs/own-images.md.")
    Path data;

    /**
     * The data asked for: {@code --data}, read with a progress bar on a terminal, else
     * Fashion-MNIST from {@code --data-dir} or the usual places; both given are refused.
     */
    Data chosen(DataDir dataDir) {
      Data chosen = Data.choose(data, dataDir.dataDir);
      return chosen instanceof Data.OwnImages own
          ? own.withReading(ReadingProgress.to(System.out, true))
          : chosen;
    }
  }

  /**
   * {@code --verbose}: TensorFlow's own log lines (via the launcher) and stack traces of errors.
   */
  static final class Verbose {
    @Option(
        names = "--verbose",
        description = "Show TensorFlow's own log lines and stack traces of errors.")
    boolean verbose;
  }

  /** {@code --device}. */
  static final class Where {
    @Option(
        names = "--device",
        paramLabel = "WHERE",
        description =
            "auto (a GPU when TensorFlow sees one, else the CPU), cpu, or gpu (fails at once when"
                + " there is none). Default: ${DEFAULT-VALUE}.")
    Device device = Device.AUTO;
  }

  /** {@code --model} and {@code --device}: a SavedModel to load and where to run it. */
  static final class Model {
    static final String FLAG = "--model";

    @Option(
        names = FLAG,
        paramLabel = "DIR",
        required = true,
        description = "A SavedModel folder, such as runs/<timestamp>/saved_model.")
    Path model;

    @Mixin Where where = new Where();
  }

  /** {@code --precision}. */
  static final class PrecisionChoice {
    @Option(
        names = "--precision",
        paramLabel = "P",
        description =
            "fp32 (exact, reproducible), bf16 (oneDNN computes convolutions and matrix products in"
                + " bfloat16; measured faster only for evaluation and serving on CPUs with AMX), or"
                + " auto (the one bench measured faster for this command's job on this kind of CPU,"
                + " docs/performance.md)."
                + " Default: ${DEFAULT-VALUE}.")
    Precisions.Choice precision = Precisions.Choice.FP32;
  }

  /** {@code --out} and {@code --doc}: where a measuring command writes, and the page it updates. */
  static final class MeasuredOutput {
    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "Where to write (default: runs/<command>-<timestamp>); new or empty.")
    Path out;

    @Option(names = "--force", description = "Write into an --out folder that already holds files.")
    boolean force;

    @Option(
        names = "--doc",
        paramLabel = "PAGE",
        description =
            "Also write the table into this Markdown page, between the <!-- begin NAME --> and"
                + " <!-- end NAME --> lines of this command's block.")
    Path doc;

    /** The folder to write into, created, once the page and the folder are checked. */
    Path folder(String prefix) throws java.io.IOException {
      return Measurements.outputFolder(out, force, prefix, doc);
    }
  }
}
