package dev.convnet.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convnet.data.FashionMnist;
import dev.convnet.data.ImageFolder;
import dev.convnet.data.OwnData;
import dev.convnet.data.Split;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that a folder of one's own images trains as the IDX files do: part of the real
 * Fashion-MNIST, written as PNG files into class folders by {@code data --write-images}'s code,
 * reads back as the same pixels, labels and order, and a run on the folder reaches the same test
 * count as a run on the IDX files with the same seed. docs/own-images.md gives the full run.
 */
@Tag("realdata")
class FolderProofTest {
  private static final int TRAIN = 3_000;
  private static final int TEST = 1_000;
  private static final int VALIDATION = 500;

  @TempDir Path dir;

  @Test
  void fashionMnistWrittenAsPngFoldersTrainsToTheSameTestCountAsItsIdxFiles() {
    FashionMnist.Data real = FashionMnist.load((Path) null);
    FashionMnist.Data first =
        new FashionMnist.Data(
            real.train().slice(0, TRAIN), real.test().slice(0, TEST), real.directory());
    Split idx = Split.of(first, VALIDATION);
    Path folder = dir.resolve("fashion-png");
    ImageFolder.write(idx, first.train(), folder, ImageFolder.Reading.QUIET);

    Split png = OwnData.load(folder, 1, VALIDATION, ImageFolder.Reading.QUIET).split();
    assertEquals(FashionMnist.LABELS, png.train().classNames(), "the names, '/' and all");
    for (String set : new String[] {"train", "validation", "test"}) {
      assertArrayEquals(pick(idx, set).pixels(), pick(png, set).pixels(), set + " pixels");
      assertArrayEquals(pick(idx, set).labels(), pick(png, set).labels(), set + " labels");
    }

    TrainConfig training =
        TrainConfig.DEFAULT
            .withLength(TrainConfig.Length.iterations(300))
            .withValidationSize(VALIDATION);
    RunResult onIdx = train(DataSource.of(idx, "IDX"), training, "idx");
    RunResult onPng =
        train(DataSource.own(folder, training.seed(), ImageFolder.Reading.QUIET), training, "png");
    // Exact: the same pixels, labels and order (asserted above) into graphs built alike, in one
    // process on one machine, run the same ops on the same inputs: the same bits, so the same
    // count.
    assertEquals(onIdx.test().correct(), onPng.test().correct(), "the same test count");
    assertEquals(onIdx.validation().correct(), onPng.validation().correct());
  }

  private static dev.convnet.data.ImageSet pick(Split split, String set) {
    return switch (set) {
      case "train" -> split.train();
      case "validation" -> split.validation();
      default -> split.test();
    };
  }

  private RunResult train(DataSource data, TrainConfig training, String name) {
    return TrainingRun.run(
        TrainingRun.Request.fresh(ModelConfig.notebook(), training, dir.resolve(name))
            .withFigures(false),
        data,
        line -> {});
  }
}
