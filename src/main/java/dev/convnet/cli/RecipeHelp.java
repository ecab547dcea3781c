package dev.convnet.cli;

import dev.convnet.common.Records;
import dev.convnet.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListResourceBundle;
import java.util.Map;
import java.util.function.Function;

/**
 * Each recipe's own value of a setting, for {@code train --help}: read from the recipes themselves,
 * so the help cannot drift from them. {@code train}'s resource bundle: a flag's description names
 * its setting's values as {@code ${bundle:recipes.NAME}}, NAME the setting's (and its flag field's)
 * name.
 */
public final class RecipeHelp extends ListResourceBundle {
  /** The bundle's name, for {@code @Command(resourceBundle = ...)}. */
  static final String BUNDLE = "dev.convnet.cli.RecipeHelp";

  private static final String PREFIX = "recipes.";

  /** The recipes in the order help names them. */
  private static final List<TrainConfig> RECIPES =
      List.of(TrainConfig.DEFAULT, TrainConfig.NOTEBOOK, TrainConfig.BEST, TrainConfig.FAST);

  /** Loaded by {@link java.util.ResourceBundle#getBundle}. */
  public RecipeHelp() {}

  @Override
  protected Object[][] getContents() {
    List<Object[]> entries = new ArrayList<>();
    for (String setting : Records.names(TrainConfig.class)) {
      entries.add(new Object[] {PREFIX + setting, perRecipe(t -> shown(Records.get(t, setting)))});
    }
    return entries.toArray(Object[][]::new);
  }

  /** A value as a flag takes it: a schedule by its flag name, a switch as on or off. */
  private static String shown(Object value) {
    if (value instanceof TrainConfig.Schedule schedule) {
      return schedule.flag();
    }
    if (value instanceof Boolean on) {
      return on ? "on" : "off";
    }
    return String.valueOf(value);
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
}
