package dev.convnet.cli;

import java.lang.reflect.Member;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one place where a setting's field name becomes a flag: read from picocli's own model of the
 * options, whose fields carry the names of the record fields they set ({@code batchSize} is {@code
 * --batch-size}). The lower packages speak of fields; the command line speaks of flags.
 */
final class FlagNames {
  private FlagNames() {}

  /**
   * Names fields as {@code command}'s flags, then as any other command's; a field with no flag
   * keeps its name.
   */
  static UnaryOperator<String> of(CommandSpec command) {
    Map<String, String> flags = new HashMap<>();
    for (var sub : command.root().subcommands().values()) {
      collect(sub.getCommandSpec(), flags);
    }
    collect(command.root(), flags);
    flags.putAll(ownFlags(command)); // the command's own flags win
    return field -> flags.getOrDefault(field, field);
  }

  private static void collect(CommandSpec spec, Map<String, String> flags) {
    ownFlags(spec).forEach(flags::putIfAbsent);
  }

  /** Each option of {@code spec} by the name of the Java field it sets. */
  private static Map<String, String> ownFlags(CommandSpec spec) {
    Map<String, String> flags = new HashMap<>();
    for (OptionSpec option : spec.options()) {
      if (option.userObject() instanceof Member member) {
        flags.put(member.getName(), option.longestName());
      }
    }
    return flags;
  }
}
