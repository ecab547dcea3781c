package dev.convnet.cli;

import dev.convnet.common.Records;
import java.lang.reflect.Field;
import picocli.CommandLine.Option;

/**
 * A section of flags bound to a settings record by name: each option field sets the record's
 * component of the same name, so a new setting needs its flag and nothing to copy it across.
 */
final class Bind {
  private Bind() {}

  /** {@code settings} with every option of {@code section} that was given (not null) set. */
  static <R extends Record> R given(R settings, Object section) {
    R result = settings;
    for (Field field : section.getClass().getDeclaredFields()) {
      if (!field.isAnnotationPresent(Option.class)) {
        continue;
      }
      try {
        field.setAccessible(true);
        Object value = field.get(section);
        if (value != null) {
          result = Records.with(result, field.getName(), value);
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return result;
  }
}
