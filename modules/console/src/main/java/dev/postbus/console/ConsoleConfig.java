package dev.postbus.console;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the console listens and where it reads: immutable, validated by {@link Builder#build}. A
 * console that can republish mail is a door: it listens on loopback unless given a password.
 *
 * @param kafka client settings: bootstrap servers and any security settings
 * @param topic the jobs topic (dead letters at {@code <topic>.dlt}, the list at {@code
 *     <topic>.suppressions})
 * @param eventsTopic the workers' outcome events
 * @param group the workers' consumer group
 * @param password null on loopback without a password file
 * @param hostNames names besides loopback ones that a console without a password answers to (the
 *     public name a reverse proxy forwards as {@code Host}); empty by default
 */
public record ConsoleConfig(
    Map<String, Object> kafka,
    String topic,
    String eventsTopic,
    String group,
    String host,
    int port,
    String password,
    int pageSize,
    List<String> hostNames) {

  public static final String HOST_KEY = "console.host";
  public static final String PASSWORD_FILE_KEY = "console.password-file";
  public static final String HOST_NAMES_KEY = "console.host-names";

  /** How long a page's read of a topic may take. */
  static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(30);

  public ConsoleConfig {
    kafka = Map.copyOf(kafka);
    hostNames = List.copyOf(hostNames);
    for (String name : hostNames) {
      if (!name.matches("[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")) {
        throw new IllegalArgumentException(
            HOST_NAMES_KEY
                + ": must be host names such as console.example.com; got '"
                + name
                + "'");
      }
    }
  }

  /** The bounces and complaints {@code postbus feedback} writes: {@code <topic>.feedback}. */
  String feedbackTopic() {
    return topic + ".feedback";
  }

  /** The settings of a page's own consumer of a topic: the console's client id, large polls. */
  Map<String, Object> readerKafka() {
    Map<String, Object> p = new java.util.HashMap<>(kafka);
    p.putIfAbsent(
        org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "postbus-console");
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    return p;
  }

  /**
   * The settings without the password (shown as "(set)") and without the value of any Kafka client
   * setting that can hold a secret (SASL's JAAS config, passwords, keys): nothing that prints a
   * config can leak one.
   */
  @Override
  public String toString() {
    Map<String, Object> shown = new java.util.TreeMap<>();
    kafka.forEach((k, v) -> shown.put(k, secret(k) ? "(redacted)" : v));
    return "ConsoleConfig[kafka="
        + shown
        + ", topic="
        + topic
        + ", eventsTopic="
        + eventsTopic
        + ", group="
        + group
        + ", host="
        + host
        + ", port="
        + port
        + ", password="
        + (password == null ? "(none)" : "(set)")
        + ", pageSize="
        + pageSize
        + ", hostNames="
        + hostNames
        + "]";
  }

  private static boolean secret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password")
        || k.contains("jaas")
        || k.contains("secret")
        || k.contains("token")
        || k.contains("credential")
        || k.endsWith(".key")
        || k.contains("keystore.key")
        || k.contains("certificate.chain");
  }

  public String deadLetterTopic() {
    return topic + ".dlt";
  }

  public static Builder builder(Map<String, Object> kafka, String topic) {
    return new Builder(kafka, topic);
  }

  /** Builds a {@link ConsoleConfig}; {@link #build} refuses a bad one, naming the key. */
  public static final class Builder {
    private final Map<String, Object> kafka;
    private final String topic;
    private String eventsTopic = "postbus.events";
    private String group = "postbus-workers";
    private String host = "127.0.0.1";
    private int port = 8080;
    private Path passwordFile;
    private int pageSize = 50;
    private List<String> hostNames = List.of();

    private Builder(Map<String, Object> kafka, String topic) {
      this.kafka = new HashMap<>(kafka);
      this.topic = Objects.requireNonNull(topic, "topic");
    }

    public Builder eventsTopic(String value) {
      this.eventsTopic = value;
      return this;
    }

    public Builder group(String value) {
      this.group = value;
      return this;
    }

    public Builder host(String value) {
      this.host = value;
      return this;
    }

    /** 0: any free port. */
    public Builder port(int value) {
      this.port = value;
      return this;
    }

    public Builder passwordFile(Path value) {
      this.passwordFile = value;
      return this;
    }

    public Builder pageSize(int value) {
      this.pageSize = value;
      return this;
    }

    /** Names besides loopback ones the console answers to without a password (behind a proxy). */
    public Builder hostNames(List<String> value) {
      this.hostNames = value;
      return this;
    }

    public ConsoleConfig build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("console.port: must be from 0 to 65535, got " + port);
      }
      if (pageSize < 1 || pageSize > 1000) {
        throw new IllegalArgumentException("console.page-size: must be from 1 to 1000");
      }
      String password = passwordFile == null ? null : readPassword(passwordFile);
      if (password == null && !loopback(host)) {
        throw new IllegalArgumentException(
            PASSWORD_FILE_KEY
                + ": required when the console listens on "
                + host
                + " ("
                + HOST_KEY
                + "), beyond this machine: it can republish mail. Give a file holding a password"
                + " (--password-file), or listen on 127.0.0.1 and put a reverse proxy in front"
                + " (docs/console.md)");
      }
      return new ConsoleConfig(
          kafka, topic, eventsTopic, group, host, port, password, pageSize, hostNames);
    }

    private static String readPassword(Path file) {
      try {
        String p = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (p.length() < 12) {
          throw new IllegalArgumentException(
              PASSWORD_FILE_KEY
                  + ": "
                  + file
                  + " holds fewer than 12 characters; use a longer one");
        }
        return p;
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            PASSWORD_FILE_KEY
                + ": cannot read "
                + file
                + " ("
                + e.getClass().getSimpleName()
                + ")");
      }
    }

    private static boolean loopback(String host) {
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          if (!a.isLoopbackAddress()) {
            return false;
          }
        }
        return true;
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(HOST_KEY + ": unknown host " + host);
      }
    }
  }
}
