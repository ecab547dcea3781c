package dev.convnet.cli;

import dev.convnet.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Each recipe's own value of a setting, for {@code train --help}: read from the recipes themselves
 * (picocli's {@code ${sys:...}} in a flag's description), so the help cannot drift from them.
 */
final class RecipeHelp {
  private RecipeHelp() {}

  private static final String PREFIX = "convnet.recipes.";

  /** The recipes in the order help names them. */
  private static final List<TrainConfig> RECIPES =
      List.of(TrainConfig.DEFAULT, TrainConfig.NOTEBOOK, TrainConfig.BEST, TrainConfig.FAST);

  /** Makes each setting's per-recipe text available to the flags' descriptions. */
  static void publish() {
    put("batchSize", t -> String.valueOf(t.batchSize()));
    put("learningRate", t -> String.valueOf(t.learningRate()));
    put("schedule", t -> t.schedule().flag());
    put("warmupIterations", t -> String.valueOf(t.warmupIterations()));
    put("labelSmoothing", t -> String.valueOf(t.labelSmoothing()));
    put("averageDecay", t -> String.valueOf(t.averageDecay()));
    put("flipAverage", t -> t.flipAverage() ? "on" : "off");
    put("augment", t -> t.augment() ? "on" : "off");
    put("length", t -> t.length().toString());
  }

  /** "default, notebook, best: 64; fast: 256": the recipes grouped by their value. */
  static String perRecipe(Function<TrainConfig, String> setting) {
    Map<String, List<String>> byValue = new LinkedHashMap<>();
    for (TrainConfig recipe : RECIPES) {
      byValue.computeIfAbsent(setting.apply(recipe), v -> new ArrayList<>()).add(recipe.recipe());
    }
    List<String> parts = new ArrayList<>();
    byValue.forEach((value, names) -> parts.add(String.join(", ", names) + ": " + value));
    return String.join("; ", parts);
  }

  private static void put(String setting, Function<TrainConfig, String> value) {
    System.setProperty(PREFIX + setting, perRecipe(value));
  }
}
