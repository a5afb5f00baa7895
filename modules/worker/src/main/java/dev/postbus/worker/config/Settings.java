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
 * Raw configuration text by key, with where each value came from: the file, overridden by
 * environment variables. Unknown keys are refused (a typo must not pass silently).
 */
public final class Settings {

  /**
   * @param key the key as written, when it differs from the one read (a relay's key standing for
   *     smtp.*)
   */
  private record Value(String text, String source, String key) {
    Value(String text, String source) {
      this(text, source, null);
    }
  }

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
      throw new ConfigException(
          "configuration file " + file + " cannot be read: " + e.getMessage());
    }
    for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
      put(key, p.getProperty(key), file.getFileName().toString());
    }
  }

  private void readEnvironment(Map<String, String> env) {
    Map<String, String> byEnv = new TreeMap<>();
    Keys.ALL.forEach(k -> byEnv.put(k.env(), k.name()));
    java.util.Set<String> receivers = new java.util.HashSet<>();
    ReturnPathKeys.RECEIVER_ONLY.forEach(k -> receivers.add(ConfigKey.envName(k)));
    String clientPrefix = ConfigKey.envName(KafkaKeys.CLIENT_PREFIX);
    for (var e : new TreeMap<>(env).entrySet()) {
      String var = e.getKey();
      Optional<String> relayKey = RelayKeys.keyOfEnvironment(var);
      if (!var.startsWith(ConfigKey.ENV_PREFIX)
          || Keys.LAUNCHER_VARIABLES.contains(var)
          || Keys.CONSOLE_VARIABLES.contains(var)
          || receivers.contains(var)) {
        continue; // not ours, or postbus feedback's in a shared environment
      }
      if (byEnv.containsKey(var)) {
        put(byEnv.get(var), e.getValue(), var);
      } else if (relayKey.isPresent()) {
        put(relayKey.get(), e.getValue(), var);
      } else if (var.startsWith(clientPrefix) && var.length() > clientPrefix.length()) {
        String property =
            var.substring(clientPrefix.length())
                .toLowerCase(java.util.Locale.ROOT)
                .replace('_', '.');
        kafkaClient.put(property, e.getValue());
      } else {
        throw new ConfigException(
            "unknown environment variable "
                + var
                + ": not a Postbus setting "
                + "(see docs/configuration.md)");
      }
    }
  }

  private void put(String key, String text, String source) {
    if (ReturnPathKeys.RECEIVER_ONLY.contains(key)) {
      return; // postbus feedback's, in a shared file
    }
    if (key.startsWith(KafkaKeys.CLIENT_PREFIX)
        && key.length() > KafkaKeys.CLIENT_PREFIX.length()) {
      kafkaClient.put(key.substring(KafkaKeys.CLIENT_PREFIX.length()), text);
      return;
    }
    var relayKey = RelayKeys.parseKey(key);
    if (relayKey.isPresent()) {
      String name = relayKey.get()[0];
      String setting = relayKey.get()[1];
      if (!RelayKeys.NAME.matcher(name).matches()) {
        throw new ConfigException(
            "configuration key '"
                + key
                + "' in "
                + source
                + ": a relay name is 1 to 32 "
                + "lower-case letters and digits");
      }
      if (!RelayKeys.settings().contains(setting)) {
        throw new ConfigException(
            "unknown configuration key '"
                + key
                + "' in "
                + source
                + ": a relay's settings are "
                + String.join(", ", RelayKeys.settings())
                + " (see docs/configuration.md)");
      }
      values.put(key, new Value(text, source));
      return;
    }
    if (Keys.ALL.stream().noneMatch(k -> k.name().equals(key))) {
      throw new ConfigException(
          "unknown configuration key '" + key + "' in " + source + " (see docs/configuration.md)");
    }
    values.put(key, new Value(text, source));
  }

  /** The relay names that have {@code relay.<name>.*} keys. */
  public java.util.Set<String> relayNamesWithKeys() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    values.keySet().forEach(k -> RelayKeys.parseKey(k).ifPresent(parts -> names.add(parts[0])));
    return names;
  }

  /**
   * The settings as relay {@code name} sees them: its {@code relay.<name>.*} values in place of the
   * {@code smtp.*} keys they stand for, everything else as it is.
   */
  public Settings forRelay(String name) {
    Settings s = new Settings();
    s.values.putAll(values);
    s.kafkaClient.putAll(kafkaClient);
    if (values.containsKey(RelayKeys.key(name, "password"))
        || values.containsKey(RelayKeys.key(name, "password-file"))) {
      // A relay's own secret replaces the worker-wide one, whichever form either takes.
      s.values.remove(SmtpKeys.PASSWORD.name());
      s.values.remove(SmtpKeys.PASSWORD_FILE.name());
    }
    RelayKeys.INHERITED.forEach(
        (setting, base) -> {
          Value v = values.get(RelayKeys.key(name, setting));
          if (v != null) {
            s.values.put(
                base.name(), new Value(v.text(), v.source(), RelayKeys.key(name, setting)));
          }
        });
    return s;
  }

  /** A relay's own setting, e.g. its weight. */
  public <T> T requireForRelay(ConfigKey<T> template, String name) {
    return require(RelayKeys.forRelay(template, name));
  }

  /** True when {@code key} is set (in the file or the environment), not left to its default. */
  public boolean given(ConfigKey<?> key) {
    return values.containsKey(key.name());
  }

  /**
   * The key {@code key}'s value was written as: a relay's own key standing for it, or {@code key}
   * itself (also when unset).
   */
  String writtenAs(ConfigKey<?> key) {
    Value v = values.get(key.name());
    return v != null && v.key() != null ? v.key() : key.name();
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
      String given =
          key.secret()
              ? "a value of " + v.text().length() + " characters"
              : "'" + shown(v.text()) + "'";
      String written = v.key() != null ? v.key() : key.name();
      throw new ConfigException(
          written
              + " ("
              + ConfigKey.envName(written)
              + "): expected "
              + key.type().allowed()
              + "; got "
              + given
              + " from "
              + v.source());
    }
  }

  /** A value as an error shows it: each control character as {@code ?}, so it stays one line. */
  private static String shown(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.chars().forEach(c -> sb.append(Character.isISOControl(c) ? '?' : (char) c));
    return sb.toString();
  }

  public <T> T require(ConfigKey<T> key) {
    return get(key)
        .orElseThrow(() -> new ConfigException(key.name() + " (" + key.env() + ") is required"));
  }

  /** Kafka client properties given with the {@code kafka.client.} prefix. */
  public Map<String, String> kafkaClient() {
    return Map.copyOf(kafkaClient);
  }
}
