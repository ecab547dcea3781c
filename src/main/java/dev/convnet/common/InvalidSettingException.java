package dev.convnet.common;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting that cannot be used, named by the field that holds it. The message is a template in
 * which {@code {fieldName}} stands for a setting: a Java caller reads the field names, and the
 * command line renders the same template with its flag names ({@link #render}).
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)}");

  private final String field;
  private final String template;

  /**
   * @param field the field whose value is refused, as its record or class names it
   * @param template the message; {@code {name}} marks a setting's name, for example {@code
   *     "{batchSize} must be positive, got 0"}
   */
  public InvalidSettingException(String field, String template) {
    super(render(template, UnaryOperator.identity()));
    this.field = field;
    this.template = template;
  }

  /** The field whose value is refused. */
  public String field() {
    return field;
  }

  /** The message with each setting named by {@code name} (a flag, for the command line). */
  public String render(UnaryOperator<String> name) {
    return render(template, name);
  }

  private static String render(String template, UnaryOperator<String> name) {
    Matcher m = FIELD.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(name.apply(m.group(1))));
    }
    return m.appendTail(sb).toString();
  }
}
