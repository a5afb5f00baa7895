package dev.postbus.testkit;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The settings every test worker needs: a broker, a topic, group and events topic of its own, a
 * plain-text relay on loopback, and a free port for its HTTP endpoints. Tests add what they are
 * about. As configuration keys ({@link #settings}) for an in-process worker, or as {@code
 * POSTBUS_*} variables ({@link #environment}) for a worker process.
 */
public final class MinimalWorker {

  private MinimalWorker() {}

  /**
   * A mutable map of keys; {@code name} prefixes the topic, group and events topic, each made
   * unique.
   */
  public static Map<String, String> settings(String bootstrap, int relayPort, String name) {
    Map<String, String> v = new HashMap<>();
    v.put("kafka.bootstrap-servers", bootstrap);
    v.put("topic", SharedKafka.uniqueName(name + "-jobs"));
    v.put("group", SharedKafka.uniqueName(name + "-group"));
    v.put("events.topic", SharedKafka.uniqueName(name + "-events"));
    v.put("smtp.host", "127.0.0.1");
    v.put("smtp.port", Integer.toString(relayPort));
    v.put("smtp.tls", "none");
    v.put("http.port", "0");
    return v;
  }

  /** The same as environment variables (POSTBUS_SMTP_PORT for smtp.port); a mutable map. */
  public static Map<String, String> environment(String bootstrap, int relayPort, String name) {
    Map<String, String> env = new HashMap<>();
    settings(bootstrap, relayPort, name).forEach((k, v) -> env.put(variable(k), v));
    return env;
  }

  /** The environment variable of a configuration key. */
  public static String variable(String key) {
    return "POSTBUS_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
