package dev.postbus.worker.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys of one relay among several: {@code relay.<name>.<setting>} in the file, {@code
 * POSTBUS_RELAY_<NAME>_<SETTING>} in the environment. Most settings default to the {@code smtp.*}
 * key of the same meaning; a few belong to a relay alone.
 */
public final class RelayKeys {

  private RelayKeys() {}

  public static final String PREFIX = "relay.";

  /** Relay names: short, and the same in a file and in an environment variable. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9]{1,32}");

  private static final Pattern POOL = Pattern.compile("\\*|" + RelayConfig.POOL_NAME.pattern());

  public static final ConfigKey<java.util.List<String>> RELAYS =
      new ConfigKey<>(
          "relays",
          Importance.FREQUENT,
          ValueType.words(NAME, "relay names (lower-case letters and digits, up to 32)"),
          null,
          null,
          false,
          "Several relays, by name in order of preference, e.g. ses,postfix. Each takes its settings from "
              + "relay.<name>.* (see \"Several relays\" below) and anything it does not set from the smtp.* key of the "
              + "same name. Unset: one relay, configured by smtp.*, named default in metrics (so that name is reserved).");

  public static final ConfigKey<RelayMode> MODE =
      ConfigKey.of(
          "relays.mode",
          Importance.FREQUENT,
          ValueType.choice(RelayMode.values()),
          RelayMode.FAILOVER,
          "With several relays: failover sends each job through the first relay (in the order of relays) that is up; "
              + "weighted spreads jobs over the relays that are up in proportion to relay.<name>.weight.");

  /**
   * Settings that default to the worker-wide key, by the setting's name after {@code
   * relay.<name>.}.
   */
  static final Map<String, ConfigKey<?>> INHERITED = inherited();

  public static final ConfigKey<Integer> WEIGHT =
      own(
          "weight",
          ValueType.integer(1, 1000),
          1,
          "Share of the jobs this relay takes when relays.mode=weighted, relative to the other relays that are up.");
  public static final ConfigKey<List<String>> POOLS =
      own(
          "pools",
          ValueType.words(POOL, "pool names (letters, digits, '.', '_', '-'), or * for every pool"),
          List.of("*"),
          "The relay pools this relay serves. A job names its pool with the tag relay-pool; a job without it is in pool "
              + "default. * serves every pool.");
  public static final ConfigKey<Integer> RATE_LIMIT =
      own(
          "rate-limit",
          ValueType.integer(0, 1_000_000),
          0,
          "Most messages per second this worker sends through this relay (0: none). rate-limit limits the worker over "
              + "all its relays.");
  public static final ConfigKey<Integer> RATE_LIMIT_GLOBAL =
      own(
          "rate-limit-global",
          ValueType.integer(0, 1_000_000),
          0,
          "Most messages per second the whole group sends through this relay (0: none), divided like rate-limit-global.");

  /** Settings only a relay has. */
  static final List<ConfigKey<?>> OWN = List.of(WEIGHT, POOLS, RATE_LIMIT, RATE_LIMIT_GLOBAL);

  private static Map<String, ConfigKey<?>> inherited() {
    Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
    for (ConfigKey<?> k :
        List.of(
            SmtpKeys.HOST,
            SmtpKeys.PORT,
            SmtpKeys.CONNECTIONS,
            SmtpKeys.CONNECTIONS_GLOBAL,
            SmtpKeys.TLS,
            SmtpKeys.USERNAME,
            SmtpKeys.PASSWORD,
            SmtpKeys.PASSWORD_FILE,
            SmtpKeys.AUTH_MECHANISM,
            SmtpKeys.TRUST_STORE,
            SmtpKeys.TRUST_STORE_PASSWORD,
            SmtpKeys.TLS_VERIFY,
            SmtpKeys.HELO_NAME,
            SmtpKeys.PIPELINING,
            SmtpKeys.CHUNKING,
            SmtpKeys.MAX_MESSAGES,
            SmtpKeys.MAX_AGE,
            SmtpKeys.IDLE_TIMEOUT,
            SmtpKeys.CONNECT_TIMEOUT,
            SmtpKeys.READ_TIMEOUT,
            SmtpKeys.WRITE_TIMEOUT,
            SmtpKeys.DATA_DONE_TIMEOUT,
            SmtpKeys.AUTH_OVER_PLAINTEXT,
            SmtpKeys.PROVIDER)) {
      m.put(k.name().substring("smtp.".length()), k);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  private static <T> ConfigKey<T> own(
      String setting, ValueType<T> type, T defaultValue, String doc) {
    String shown =
        defaultValue instanceof List<?> l
            ? String.join(",", l.stream().map(Object::toString).toList())
            : String.valueOf(defaultValue);
    return new ConfigKey<>(
        PREFIX + "<name>." + setting, Importance.FREQUENT, type, defaultValue, shown, false, doc);
  }

  private static final List<String> SETTINGS =
      java.util.stream.Stream.concat(
              INHERITED.keySet().stream(), OWN.stream().map(RelayKeys::setting))
          .toList();

  /** Every setting a relay may have, inherited ones first. */
  public static List<String> settings() {
    return SETTINGS;
  }

  static String setting(ConfigKey<?> own) {
    return own.name().substring((PREFIX + "<name>.").length());
  }

  /** The key of {@code setting} for relay {@code name}. */
  public static String key(String name, String setting) {
    return PREFIX + name + "." + setting;
  }

  /** A relay's own key, e.g. {@code relay.ses.weight}, typed like the template. */
  static <T> ConfigKey<T> forRelay(ConfigKey<T> template, String name) {
    return new ConfigKey<>(
        key(name, setting(template)),
        template.importance(),
        template.type(),
        template.defaultValue(),
        template.defaultText(),
        template.secret(),
        template.doc());
  }

  /**
   * The relay name and setting of a file key {@code relay.<name>.<setting>}; empty when it is not
   * one.
   */
  static Optional<String[]> parseKey(String key) {
    if (!key.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String rest = key.substring(PREFIX.length());
    int dot = rest.indexOf('.');
    if (dot < 0) {
      return Optional.empty();
    }
    return Optional.of(new String[] {rest.substring(0, dot), rest.substring(dot + 1)});
  }

  /**
   * The file key of an environment variable {@code POSTBUS_RELAY_<NAME>_<SETTING>}: the longest
   * setting that ends the variable, the rest being the name. Empty when no setting fits.
   */
  static Optional<String> keyOfEnvironment(String variable) {
    String prefix = ConfigKey.envName(PREFIX);
    if (!variable.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = variable.substring(prefix.length());
    String best = null;
    for (String setting : settings()) {
      String tail = "_" + setting.toUpperCase(Locale.ROOT).replace('-', '_');
      if (rest.endsWith(tail)
          && rest.length() > tail.length()
          && (best == null || setting.length() > best.length())) {
        best = setting;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    String name = rest.substring(0, rest.length() - best.length() - 1).toLowerCase(Locale.ROOT);
    return Optional.of(key(name, best));
  }
}
