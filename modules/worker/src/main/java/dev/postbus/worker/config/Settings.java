package dev.postbus.worker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Raw configuration text by key, with where each value came from: the file, overridden by environment
 * variables. Unknown keys are refused (a typo must not pass silently).
 */
public final class Settings {

  private record Value(String text, String source) {}

  private final Map<String, Value> values = new LinkedHashMap<>();
  private final Map<String, String> kafkaClient = new TreeMap<>();

  private Settings() {}

  /** Reads {@code file} (may be null) and then the environment. */
  public static Settings load(Path file, Map<String, String> env) {
    Settings s = new Settings();
    if (file != null) {
      s.readFile(file);
    }
    s.readEnvironment(env);
    return s;
  }

  /** Values given directly (tests, embedded use), as if from a file. */
  public static Settings of(Map<String, String> values) {
    Settings s = new Settings();
    values.forEach((k, v) -> s.put(k, v, "given"));
    return s;
  }

  private void readFile(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("configuration file " + file + " cannot be read: " + e.getMessage());
    }
    for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
      put(key, p.getProperty(key), file.getFileName().toString());
    }
  }

  private void readEnvironment(Map<String, String> env) {
    Map<String, String> byEnv = new TreeMap<>();
    Keys.ALL.forEach(k -> byEnv.put(k.env(), k.name()));
    String clientPrefix = ConfigKey.envName(Keys.KAFKA_CLIENT_PREFIX);
    for (var e : new TreeMap<>(env).entrySet()) {
      String var = e.getKey();
      if (!var.startsWith(ConfigKey.ENV_PREFIX) || Keys.LAUNCHER_VARIABLES.contains(var)) {
        continue;
      }
      if (byEnv.containsKey(var)) {
        put(byEnv.get(var), e.getValue(), var);
      } else if (var.startsWith(clientPrefix) && var.length() > clientPrefix.length()) {
        String property = var.substring(clientPrefix.length()).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
        kafkaClient.put(property, e.getValue());
      } else {
        throw new ConfigException("unknown environment variable " + var + ": not a Postbus setting "
            + "(see docs/configuration.md)");
      }
    }
  }

  private void put(String key, String text, String source) {
    if (key.startsWith(Keys.KAFKA_CLIENT_PREFIX) && key.length() > Keys.KAFKA_CLIENT_PREFIX.length()) {
      kafkaClient.put(key.substring(Keys.KAFKA_CLIENT_PREFIX.length()), text);
      return;
    }
    if (Keys.ALL.stream().noneMatch(k -> k.name().equals(key))) {
      throw new ConfigException("unknown configuration key '" + key + "' in " + source
          + " (see docs/configuration.md)");
    }
    values.put(key, new Value(text, source));
  }

  /** The value of {@code key}, its default when unset, or empty when neither. */
  public <T> Optional<T> get(ConfigKey<T> key) {
    Value v = values.get(key.name());
    if (v == null) {
      return Optional.ofNullable(key.defaultValue());
    }
    try {
      return Optional.of(key.type().parse().apply(v.text()));
    } catch (RuntimeException e) {
      String given = key.secret() ? "a value of " + v.text().length() + " characters" : "'" + v.text() + "'";
      throw new ConfigException(key.name() + " (" + key.env() + "): expected " + key.type().allowed() + "; got "
          + given + " from " + v.source());
    }
  }

  public <T> T require(ConfigKey<T> key) {
    return get(key).orElseThrow(() -> new ConfigException(key.name() + " (" + key.env() + ") is required"));
  }

  /** Kafka client properties given with the {@code kafka.client.} prefix. */
  public Map<String, String> kafkaClient() {
    return Map.copyOf(kafkaClient);
  }
}
