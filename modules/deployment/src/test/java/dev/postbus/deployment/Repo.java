package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.postbus.worker.config.ConfigKey;
import dev.postbus.worker.config.KafkaKeys;
import dev.postbus.worker.config.Keys;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.SmtpKeys;
import dev.postbus.worker.config.WorkerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's deployment files, read the way the tools that use them read them. */
final class Repo {

  static final ObjectMapper YAML = YAMLMapper.builder().build();
  static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Pattern METRIC = Pattern.compile("\\bpostbus_[a-z_]+");

  private Repo() {}

  static Path root() {
    String root = System.getProperty("postbus.root");
    assertThat(root).as("system property postbus.root (set by the module's pom)").isNotNull();
    return Path.of(root).toAbsolutePath().normalize();
  }

  static Path file(String relative) {
    Path p = root().resolve(relative);
    assertThat(p).as(relative).isRegularFile();
    return p;
  }

  static String text(String relative) {
    try {
      return Files.readString(file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode yaml(String relative) {
    try {
      return YAML.readTree(file(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(relative + " is not valid YAML", e);
    }
  }

  static <T> T yaml(String relative, Class<T> type) {
    try {
      return YAML.readValue(file(relative).toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(relative + " does not read as " + type.getSimpleName(), e);
    }
  }

  /**
   * Every {@code POSTBUS_*} variable is a configuration key, a Kafka client pass-through or a
   * launcher variable.
   */
  static void assertKnownVariables(String where, Map<String, String> env) {
    Set<String> keys = new TreeSet<>();
    Keys.ALL.stream().map(ConfigKey::env).forEach(keys::add);
    String clientPrefix = ConfigKey.envName(KafkaKeys.CLIENT_PREFIX);
    for (String var : env.keySet()) {
      if (var.startsWith(ConfigKey.ENV_PREFIX)) {
        assertThat(
                keys.contains(var)
                    || Keys.LAUNCHER_VARIABLES.contains(var)
                    || var.startsWith(clientPrefix))
            .as("%s sets %s, which is no configuration key (docs/configuration.md)", where, var)
            .isTrue();
      }
    }
    String format = env.get("POSTBUS_LOG_FORMAT");
    if (format != null) {
      assertThat(format).as("%s: POSTBUS_LOG_FORMAT", where).isIn("text", "json");
    }
  }

  /**
   * Loads the variables as the worker would at start-up: unknown keys and bad values throw, naming
   * the key.
   */
  static WorkerConfig workerConfig(Map<String, String> env) {
    return WorkerConfig.from(Settings.load(null, env));
  }

  /** The environment variables of a docker-compose service or a ConfigMap's data, as strings. */
  static Map<String, String> strings(JsonNode map) {
    Map<String, String> out = new LinkedHashMap<>();
    if (map != null) {
      map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }

  static Map<String, String> withPasswordFile(Map<String, String> env, Path file) {
    Map<String, String> copy = new HashMap<>(env);
    copy.computeIfPresent(SmtpKeys.PASSWORD_FILE.env(), (k, v) -> file.toString());
    return copy;
  }

  /**
   * The postbus_* series names in a text: a scrape, a dashboard, a rule file (histograms as _bucket
   * etc.).
   */
  static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  /** Durations as docker compose and systemd write them: "45s", "45", "1m30s". */
  static Duration seconds(String value) {
    Matcher m = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s?)?").matcher(value.strip());
    assertThat(m.matches()).as("duration '%s'", value).isTrue();
    long minutes = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
    long secs = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
    return Duration.ofSeconds(minutes * 60 + secs);
  }
}
