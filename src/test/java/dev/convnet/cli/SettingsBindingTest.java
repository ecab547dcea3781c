package dev.convnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convnet.common.Records;
import dev.convnet.model.ModelConfig;
import dev.convnet.train.TrainConfig;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Each setting has one flag, bound by name: a flag field of a settings section sets the record
 * component it is named after, and every setting a user may change has such a flag.
 */
class SettingsBindingTest {
  /** Training settings with no flag of the settings sections, and where they come from instead. */
  private static final Set<String> ELSEWHERE =
      Set.of(
          "recipe", // --recipe, the Recipe section
          "length", // --iterations or --epochs, the Length section
          "checkpointEvery", // --checkpoint-every, the Run directory section
          "evalBatchSize", // In [42]'s test_batch_size, not a choice
          "precision"); // --precision, resolved against the CPU

  @Test
  void everyFlagOfASettingsSectionNamesASettingOfItsType() {
    assertBinds(TrainOptions.Schedule.class, TrainConfig.class);
    assertBinds(TrainOptions.Regularisation.class, TrainConfig.class);
    assertBinds(TrainOptions.Data.class, TrainConfig.class);
    assertBinds(TrainOptions.Network.class, ModelConfig.class);
    assertBinds(TrainOptions.Variants.class, ModelConfig.class);
  }

  @Test
  void everySettingAUserMayChangeHasAFlag() {
    List<String> trainFlags = optionFields(TrainOptions.Schedule.class);
    trainFlags.addAll(optionFields(TrainOptions.Regularisation.class));
    trainFlags.addAll(optionFields(TrainOptions.Data.class));
    for (String setting : Records.names(TrainConfig.class)) {
      assertTrue(
          trainFlags.contains(setting) || ELSEWHERE.contains(setting),
          setting + " has no flag in train's settings sections");
    }
    List<String> networkFlags = optionFields(TrainOptions.Network.class);
    networkFlags.addAll(optionFields(TrainOptions.Variants.class));
    for (String setting : Records.names(ModelConfig.class)) {
      assertTrue(
          networkFlags.contains(setting) || setting.equals("numClasses"), // the data's classes
          setting + " has no flag in train's network");
    }
  }

  @Test
  void theFlagsGivenSetTheirSettingsAndTheRestKeepTheRecipes() {
    TrainCommand train =
        parse("--recipe", "fast", "--batch-size", "128", "--augment", "--label-smoothing", "0.2");
    TrainConfig fast = TrainConfig.FAST;
    TrainConfig got =
        Bind.given(Bind.given(train.recipe.chosen(), train.schedule), train.regularisation);
    assertEquals(
        fast.withBatchSize(128).withAugment(true).withLabelSmoothing(0.2f), got, "three changed");
    TrainCommand network = parse("--num-filters2", "8", "--pooling", "avg", "--pool-first");
    assertEquals(
        ModelConfig.notebook()
            .withNumFilters2(8)
            .withPooling(ModelConfig.Pooling.AVG)
            .withPoolFirst(true),
        TrainOptions.model(network.network, network.variants));
  }

  private static TrainCommand parse(String... flags) {
    String[] args = new String[flags.length + 1];
    args[0] = "train";
    System.arraycopy(flags, 0, args, 1, flags.length);
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
    return (TrainCommand) parsed.subcommand().commandSpec().userObject();
  }

  private static void assertBinds(Class<?> section, Class<? extends Record> settings) {
    for (Field field : section.getDeclaredFields()) {
      if (!field.isAnnotationPresent(Option.class)) {
        continue;
      }
      RecordComponent component = null;
      for (RecordComponent c : settings.getRecordComponents()) {
        if (c.getName().equals(field.getName())) {
          component = c;
        }
      }
      assertTrue(
          component != null,
          section.getSimpleName() + "." + field.getName() + " names no setting of " + settings);
      assertEquals(
          boxed(component.getType()), boxed(field.getType()), "the type of " + field.getName());
    }
  }

  private static List<String> optionFields(Class<?> section) {
    List<String> names = new ArrayList<>();
    for (Field field : section.getDeclaredFields()) {
      if (field.isAnnotationPresent(Option.class)) {
        names.add(field.getName());
      }
    }
    return names;
  }

  private static Class<?> boxed(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "float" -> Float.class;
      case "boolean" -> Boolean.class;
      default -> type;
    };
  }
}
