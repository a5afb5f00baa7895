package dev.postbus.feedback.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The receiver's settings: {@code feedback.*} keys of a properties file, then their {@code
 * POSTBUS_FEEDBACK_*} environment variables, which win. An unknown key or variable of that family
 * is refused (a typo must not pass silently); other keys of the file (the worker's) are left alone.
 */
public final class FeedbackSettings {

  private static final String PREFIX = "feedback.";
  private static final String ENV_PREFIX = "POSTBUS_FEEDBACK_";

  private FeedbackSettings() {}

  public static Map<String, String> load(Path file, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--config: cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
      }
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith(PREFIX)) {
          FeedbackKey key = known(name);
          if (key == null) {
            throw new IllegalArgumentException(
                name + ": unknown key in " + file + " (docs/feedback.md lists the keys)");
          }
          values.put(name, p.getProperty(name));
        }
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX)) {
        FeedbackKey key =
            FeedbackKeys.ALL.stream()
                .filter(k -> k.env().equals(e.getKey()))
                .findFirst()
                .orElse(null);
        if (key == null) {
          throw new IllegalArgumentException(
              e.getKey() + ": unknown variable (docs/feedback.md lists the keys)");
        }
        values.put(key.name(), e.getValue());
      }
    }
    return values;
  }

  private static FeedbackKey known(String name) {
    return FeedbackKeys.ALL.stream().filter(k -> k.name().equals(name)).findFirst().orElse(null);
  }
}
