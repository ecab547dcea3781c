package dev.convnet.common;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * A record copied with one component changed, by the component's name: one wither for every setting
 * of a settings record, so that a new setting needs no copy code, and the command line binds a flag
 * to the component of the same name.
 */
public final class Records {
  private Records() {}

  /**
   * A copy of {@code record} with component {@code name} set to {@code value}, through the
   * canonical constructor, so its checks run (an {@link InvalidSettingException} comes out as
   * thrown).
   */
  public static <R extends Record> R with(R record, String name, Object value) {
    RecordComponent[] components = record.getClass().getRecordComponents();
    Object[] values = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    boolean found = false;
    try {
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        if (components[i].getName().equals(name)) {
          values[i] = value;
          found = true;
        } else {
          values[i] = components[i].getAccessor().invoke(record);
        }
      }
      if (!found) {
        throw new IllegalArgumentException(
            record.getClass().getSimpleName() + " has no setting " + name);
      }
      @SuppressWarnings("unchecked")
      Constructor<R> canonical = (Constructor<R>) record.getClass().getDeclaredConstructor(types);
      return canonical.newInstance(values);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy " + record.getClass().getSimpleName(), e);
    }
  }

  /** The names of {@code type}'s components, in order. */
  public static List<String> names(Class<? extends Record> type) {
    List<String> names = new ArrayList<>();
    for (RecordComponent component : type.getRecordComponents()) {
      names.add(component.getName());
    }
    return names;
  }

  /** The value of {@code record}'s component {@code name}. */
  public static Object get(Record record, String name) {
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      if (component.getName().equals(name)) {
        try {
          return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no " + name);
  }
}
