package dev.convnet.cli;

import dev.convnet.api.Data;
import dev.convnet.api.Precisions;
import dev.convnet.api.Training;
import dev.convnet.run.RunResult;
import dev.convnet.run.TrainingRun;
import dev.convnet.train.StopSwitch;
import dev.convnet.train.StoppedException;
import dev.convnet.train.TrainConfig;
import dev.convnet.train.TrainingProgress;
import dev.convnet.train.TrainingStep;
import java.lang.reflect.Field;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code convnet train}: the notebook's training, with a run directory of results. */
@Command(
    name = "train",
    resourceBundle = RecipeHelp.BUNDLE,
    mixinStandardHelpOptions = true,
    sortOptions = false,
    customSynopsis = "convnet train [OPTIONS]",
    optionListHeading = "%nData, device, precision and help%n",
    description = {
      "Train the notebook's network on Fashion-MNIST (or your own images, --data) and print what"
          + " the notebook prints.",
      "Writes metrics.json, a SavedModel (saved_model/), checkpoints, TensorBoard events, figures"
          + " and report.html into the run directory.",
      "Ctrl-C stops after the step under way and writes a checkpoint (a second Ctrl-C stops at"
          + " once); --resume continues."
    })
final class TrainCommand implements Callable<Integer> {
  @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "%nRecipe%n", order = 1)
  TrainOptions.RecipeChoice recipe;

  @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "%nLength%n", order = 2)
  TrainOptions.LengthChoice length;

  @ArgGroup(validate = false, heading = "%nSchedule%n", order = 3)
  TrainOptions.Schedule schedule;

  @ArgGroup(validate = false, heading = "%nRegularisation and averaging%n", order = 4)
  TrainOptions.Regularisation regularisation;

  @ArgGroup(validate = false, heading = "%nData and seed%n", order = 5)
  TrainOptions.Data data;

  @ArgGroup(validate = false, heading = "%nThe network of In [2]%n", order = 6)
  TrainOptions.Network network;

  @ArgGroup(validate = false, heading = "%nThe exercises' variants%n", order = 7)
  TrainOptions.Variants variants;

  @ArgGroup(validate = false, heading = "%nRun directory%n", order = 8)
  TrainOptions.RunDir runDir = new TrainOptions.RunDir();

  @ArgGroup(validate = false, heading = "%nOutput%n", order = 9)
  TrainOptions.Output output = new TrainOptions.Output();

  @Spec CommandSpec spec;

  /**
   * The sections whose flags fix what a run computes, and how it is kept: a resumed run takes them
   * from its checkpoint and refuses them, a flag by the section it is declared in, so that a new
   * setting is refused without being listed. The network's sections are compared with the
   * checkpoint's network instead; output, data, device and step ({@code --step}: the same update to
   * rounding) may change.
   */
  static final Set<Class<?>> FIXED_BY_CHECKPOINT =
      Set.of(
          TrainOptions.RecipeChoice.class,
          TrainOptions.LengthChoice.class,
          TrainOptions.Schedule.class,
          TrainOptions.Regularisation.class,
          TrainOptions.Data.class,
          TrainOptions.RunDir.class,
          CommonOptions.PrecisionChoice.class);

  /** Whether {@code option} is one a resumed run refuses (all of its section but --resume). */
  static boolean fixedByCheckpoint(OptionSpec option) {
    return option.userObject() instanceof Field field
        && FIXED_BY_CHECKPOINT.contains(field.getDeclaringClass())
        && !option.longestName().equals(TrainOptions.RunDir.RESUME);
  }

  @Option(
      names = "--step",
      paramLabel = "STEP",
      description =
          "How each training step is computed: fast (on a CPU, for the notebook's layers: towers,"
              + " one per core, and a written-out backward pass; the same update to rounding) or"
              + " notebook (In [31] as the notebook writes it). Default: ${DEFAULT-VALUE}.")
  TrainingStep.Kind step = TrainingStep.Kind.FAST;

  @Mixin CommonOptions.PrecisionChoice precision = new CommonOptions.PrecisionChoice();
  @Mixin CommonOptions.DataDir dataOptions = new CommonOptions.DataDir();
  @Mixin CommonOptions.OwnDataOption ownData = new CommonOptions.OwnDataOption();
  @Mixin CommonOptions.Where where = new CommonOptions.Where();
  @Mixin CommonOptions.Verbose verbose = new CommonOptions.Verbose();

  @Override
  public Integer call() {
    runDir = runDir != null ? runDir : new TrainOptions.RunDir();
    output = output != null ? output : new TrainOptions.Output();
    Data data = ownData.chosen(dataOptions);
    TrainingRun.Request request = runDir.resume != null ? resumeRequest() : freshRequest();
    StopSwitch stop = new StopSwitch();
    Interrupts.onStop(stop);
    try (TrainingProgress progress = progress()) {
      RunResult result =
          Training.run(
              request
                  .withDevice(where.device)
                  .withStep(step)
                  .withFigures(!output.noFigures)
                  .withExportBase(java.util.Optional.ofNullable(output.exportBase)),
              data,
              progress,
              ReadingProgress.to(System.out, !output.noProgress),
              stop);
      return result.test().total() > 0 ? 0 : 1;
    } catch (StoppedException e) {
      if (e.runDir() != null) {
        System.out.println("Continue with: scripts/convnet train --resume " + e.runDir());
        System.out.flush();
      }
      return stop.exitCode();
    }
  }

  private TrainingRun.Request freshRequest() {
    TrainConfig training = recipe != null ? recipe.chosen() : TrainConfig.DEFAULT;
    if (length != null) {
      training = training.withLength(length.length());
    }
    for (Object section : new Object[] {schedule, regularisation, data}) {
      if (section != null) {
        training = Bind.given(training, section);
      }
    }
    if (runDir.checkpointEvery != null) {
      training = training.withCheckpointEvery(runDir.checkpointEvery);
    }
    training =
        training.withPrecision(
            Precisions.resolve(
                precision.precision, Precisions.Job.TRAINING, spec.commandLine().getErr()));
    // A null run directory: TrainingRun creates runs/<time> once every check has passed.
    return Training.fresh(TrainOptions.model(network, variants), training, runDir.runDir)
        .withForce(runDir.force);
  }

  private TrainingRun.Request resumeRequest() {
    ParseResult parsed = spec.commandLine().getParseResult();
    for (OptionSpec option : parsed.matchedOptions()) {
      if (fixedByCheckpoint(option)) {
        throw new IllegalArgumentException(
            option.longestName()
                + " cannot be combined with --resume: a resumed run keeps the settings it started with");
      }
    }
    boolean networkAsked = network != null || variants != null;
    return Training.resume(
        runDir.resume,
        networkAsked ? Optional.of(TrainOptions.model(network, variants)) : Optional.empty());
  }

  private TrainingProgress progress() {
    boolean live = !output.noProgress && System.console() != null;
    return live ? new ConsoleProgress(System.out) : TrainingProgress.lines(System.out);
  }
}
