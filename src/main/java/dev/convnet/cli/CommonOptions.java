package dev.convnet.cli;

import dev.convnet.model.Device;
import dev.convnet.train.TrainConfig;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Options several commands share, as picocli mixins. */
final class CommonOptions {
  private CommonOptions() {}

  /** {@code --data-dir}: where the four IDX files are. */
  static final class DataDir {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description =
            "Folder with the four IDX files (.gz or plain); only there when given. Default:"
                + " $FASHION_MNIST_DIR, data/fashion-mnist, /usr/share/datasets/fashion-mnist.")
    Path dataDir;
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
        defaultValue = "auto",
        converter = DeviceConverter.class,
        description =
            "auto (a GPU when TensorFlow sees one, else the CPU), cpu, or gpu (fails at once when"
                + " there is none). Default: ${DEFAULT-VALUE}.")
    Device device;
  }

  /** {@code --model} and {@code --device}: a SavedModel to load and where to run it. */
  static final class Model {
    @Option(
        names = "--model",
        paramLabel = "DIR",
        required = true,
        description = "A SavedModel folder, such as runs/<timestamp>/saved_model.")
    Path model;

    @Mixin Where where = new Where();
  }

  /** {@code --precision} where fp32 is the default (bench, evaluate). */
  static final class PrecisionChoice {
    @Option(
        names = "--precision",
        paramLabel = "P",
        converter = TrainCommand.PrecisionConverter.class,
        description = "fp32 or bf16 (see train --help). Default: fp32.")
    TrainConfig.Precision precision = TrainConfig.Precision.FP32;
  }

  /** Device names in any case. */
  static final class DeviceConverter implements ITypeConverter<Device> {
    @Override
    public Device convert(String value) {
      return enumValue(Device.class, value, "device", "auto, cpu or gpu");
    }
  }

  /** {@code value} as a constant of {@code type}, in any case, or a line naming the choices. */
  static <E extends Enum<E>> E enumValue(Class<E> type, String value, String what, String choices) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "unknown " + what + " '" + value + "' (choose " + choices + ")");
    }
  }
}
