package dev.convnet.results;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import dev.convnet.model.ModelConfig;
import java.io.IOException;
import java.util.Locale;

/**
 * The one JSON configuration of every file a run writes and reads back (metrics.json, a
 * checkpoint's state.json, bench figures): snake_case keys from record components, readable
 * indentation, enum values in lower case as the command line spells them, NaN written rather than
 * refused.
 */
public final class Json {
  /** Pretty-printed, snake_case. */
  public static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .registerTypeAdapterFactory(new LowerCaseEnums())
          .setPrettyPrinting()
          .serializeSpecialFloatingPointValues()
          .serializeNulls()
          .create();

  /** The same on one line, for one object per line (predict --json). */
  public static final Gson LINES =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .registerTypeAdapterFactory(new LowerCaseEnums())
          .serializeSpecialFloatingPointValues()
          .create();

  private Json() {}

  /**
   * A network's shape as metrics.json and state.json hold it. Files written before the number of
   * classes followed the data lack {@code num_classes}: they trained on Fashion-MNIST's ten.
   */
  public static ModelConfig modelConfig(JsonElement model) {
    return GSON.fromJson(withNumClasses(model), ModelConfig.class);
  }

  /** {@code model}'s JSON, with {@code num_classes} 10 added where an older file lacks it. */
  public static JsonElement withNumClasses(JsonElement model) {
    if (model == null || !model.isJsonObject() || model.getAsJsonObject().has("num_classes")) {
      return model;
    }
    JsonElement copy = model.deepCopy();
    copy.getAsJsonObject().addProperty("num_classes", ModelConfig.NUM_CLASSES);
    return copy;
  }

  /**
   * Enums as "max", "warmup-cosine": the spelling of the command line's values; "warmup_cosine", as
   * files written before said it, reads back too.
   */
  private static final class LowerCaseEnums implements TypeAdapterFactory {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> TypeAdapter<T> create(Gson gson, TypeToken<T> type) {
      Class<? super T> raw = type.getRawType();
      if (!raw.isEnum()) {
        return null;
      }
      Class<? extends Enum> enumType = (Class<? extends Enum>) raw;
      return (TypeAdapter<T>)
          new TypeAdapter<Enum<?>>() {
            @Override
            public void write(JsonWriter out, Enum<?> value) throws IOException {
              out.value(
                  value == null ? null : value.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }

            @Override
            public Enum<?> read(JsonReader in) throws IOException {
              if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
              }
              return Enum.valueOf(
                  enumType, in.nextString().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
          };
    }
  }
}
