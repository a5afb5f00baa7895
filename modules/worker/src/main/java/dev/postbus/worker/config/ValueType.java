package dev.postbus.worker.config;

import dev.postbus.durations.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How a configuration value is read from text, and what is allowed, in words for errors and the
 * reference. {@link #parse} throws {@link IllegalArgumentException} when the text is not allowed.
 */
public record ValueType<T>(String unit, String allowed, Function<String, T> parse) {

  public static ValueType<String> text() {
    return new ValueType<>("text", "any text", s -> s);
  }

  public static ValueType<String> nonEmpty() {
    return new ValueType<>(
        "text",
        "non-empty text",
        s -> {
          if (s.isBlank()) {
            throw new IllegalArgumentException();
          }
          return s.strip();
        });
  }

  /** Where a relay is: {@link HostNames#isHost}. */
  public static ValueType<String> host() {
    return new ValueType<>(
        "host",
        "a host name or IP address without a port (put the port in smtp.port)",
        s -> HostNames.require(s.strip(), HostNames.isHost(s.strip())));
  }

  /** The name announced in EHLO: {@link HostNames#isHeloName}. */
  public static ValueType<String> heloName() {
    return new ValueType<>(
        "domain",
        "a name of at most 255 printable ASCII characters without white space, '<' or '>' (a"
            + " domain such as mx.example.com, a non-ASCII one in its IDNA form such as"
            + " xn--bcher-kva.de, or an address literal such as [192.0.2.1])",
        s -> HostNames.require(s.strip(), HostNames.isHeloName(s.strip())));
  }

  /** A Kafka topic name: {@link HostNames#isTopic}. */
  public static ValueType<String> topic() {
    return new ValueType<>(
        "topic",
        "a Kafka topic name (1 to "
            + HostNames.MAX_TOPIC
            + " of a-z A-Z 0-9 . _ -, not \".\" or \"..\")",
        s -> HostNames.require(s.strip(), HostNames.isTopic(s.strip())));
  }

  public static ValueType<Integer> integer(int min, int max) {
    return new ValueType<>(
        "count",
        "an integer from " + min + " to " + max,
        s -> {
          int v = Integer.parseInt(s.strip().replace("_", ""));
          if (v < min || v > max) {
            throw new IllegalArgumentException();
          }
          return v;
        });
  }

  public static ValueType<Integer> bytes(int min, int max) {
    ValueType<Integer> n = integer(min, max);
    return new ValueType<>("bytes", n.allowed(), n.parse());
  }

  public static ValueType<Boolean> bool() {
    return new ValueType<>(
        "boolean",
        "true or false",
        s ->
            switch (s.strip().toLowerCase(Locale.ROOT)) {
              case "true" -> true;
              case "false" -> false;
              default -> throw new IllegalArgumentException();
            });
  }

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT30S}). */
  public static ValueType<Duration> duration(Duration min, Duration max) {
    return new ValueType<>(
        "duration",
        "a duration from " + format(min) + " to " + format(max) + " such as 250ms, 30s, 5m, 2h",
        s -> {
          Duration d = parseDuration(s.strip());
          if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException();
          }
          return d;
        });
  }

  /** As {@link #duration}, and {@code 0} (no unit needed) for "none" or "forever". */
  public static ValueType<Duration> durationOrZero(Duration max) {
    ValueType<Duration> d = duration(Duration.ofMillis(1), max);
    return new ValueType<>(
        "duration",
        "0, or " + d.allowed(),
        s -> s.strip().equals("0") ? Duration.ZERO : d.parse().apply(s));
  }

  public static <E> ValueType<E> oneOf(String allowedValues, Function<String, E> lookup) {
    return new ValueType<>(
        "choice",
        "one of " + allowedValues,
        s -> {
          E v = lookup.apply(s);
          if (v == null) {
            throw new IllegalArgumentException();
          }
          return v;
        });
  }

  /**
   * One of an enum's constants, written as its {@code toString()} (the worker's enums give their
   * name in configuration form, lower case with hyphens).
   */
  @SafeVarargs
  public static <E extends Enum<E>> ValueType<E> choice(E... values) {
    String allowed =
        java.util.Arrays.stream(values)
            .map(Object::toString)
            .collect(java.util.stream.Collectors.joining(", "));
    return oneOf(
        allowed,
        s ->
            java.util.Arrays.stream(values)
                .filter(v -> v.toString().equals(s.strip().toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElse(null));
  }

  /** {@code 30s,5m,30m,2h}: a comma-separated list of durations, each within the range. */
  public static ValueType<java.util.List<Duration>> durations(Duration min, Duration max) {
    ValueType<Duration> one = duration(min, max);
    return new ValueType<>(
        "durations",
        "a comma-separated list of durations (" + one.allowed() + ")",
        s -> {
          java.util.List<Duration> list = new java.util.ArrayList<>();
          for (String part : s.split(",")) {
            list.add(one.parse().apply(part));
          }
          return java.util.List.copyOf(list);
        });
  }

  public static ValueType<Double> fraction(double min, double maxExclusive) {
    return new ValueType<>(
        "fraction",
        "a number from " + min + " up to (not including) " + maxExclusive,
        s -> {
          double v = Double.parseDouble(s.strip());
          if (!(v >= min && v < maxExclusive)) {
            throw new IllegalArgumentException();
          }
          return v;
        });
  }

  /** {@code 550=transient,5.7.*=permanent}: reply codes mapped to failure classes. */
  public static ValueType<java.util.Map<String, dev.postbus.smtp.OutcomeClass>> classOverrides() {
    return new ValueType<>(
        "code=class list",
        "comma-separated code=class pairs, a code being 550, 5.7.1 or "
            + "4.7.*, a class one of transient, permanent, fatal",
        s -> {
          java.util.Map<String, dev.postbus.smtp.OutcomeClass> map =
              new java.util.LinkedHashMap<>();
          for (String pair : s.split(",")) {
            if (pair.isBlank()) {
              continue;
            }
            String[] kv = pair.split("=", 2);
            dev.postbus.smtp.OutcomeClass c =
                kv.length == 2 ? dev.postbus.smtp.OutcomeClass.fromLabel(kv[1]) : null;
            if (c != dev.postbus.smtp.OutcomeClass.TRANSIENT
                && c != dev.postbus.smtp.OutcomeClass.PERMANENT
                && c != dev.postbus.smtp.OutcomeClass.FATAL) {
              throw new IllegalArgumentException();
            }
            map.put(kv[0].strip(), c);
          }
          new dev.postbus.smtp.ReplyClassifier(map); // checks the codes
          return java.util.Map.copyOf(map);
        });
  }

  /** {@code gmail.com=5,yahoo.com=3}: a limit of parallel sends per recipient domain. */
  public static ValueType<java.util.Map<String, Integer>> domainCaps() {
    return new ValueType<>(
        "domain=count list",
        "comma-separated domain=count pairs, a count from 1 to 1024",
        s -> {
          java.util.Map<String, Integer> map = new java.util.LinkedHashMap<>();
          for (String pair : s.split(",")) {
            if (pair.isBlank()) {
              continue;
            }
            String[] kv = pair.split("=", 2);
            String domain = kv[0].strip().toLowerCase(Locale.ROOT);
            int count = kv.length == 2 ? Integer.parseInt(kv[1].strip()) : 0;
            if (domain.isEmpty() || domain.contains("@") || count < 1 || count > 1024) {
              throw new IllegalArgumentException();
            }
            map.put(domain, count);
          }
          return java.util.Map.copyOf(map);
        });
  }

  /**
   * A comma-separated list of distinct words matching {@code word}, such as relay names or pool
   * names; at least one.
   */
  public static ValueType<java.util.List<String>> words(Pattern word, String describe) {
    return new ValueType<>(
        "list",
        "a comma-separated list of " + describe,
        s -> {
          java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
          for (String part : s.split(",")) {
            String w = part.strip();
            if (!word.matcher(w).matches() || !words.add(w)) {
              throw new IllegalArgumentException();
            }
          }
          return java.util.List.copyOf(words);
        });
  }

  /**
   * {@code 5.1.1,5.1.2}: permanent enhanced status codes (RFC 3463), or {@code none} for an empty
   * set.
   */
  public static ValueType<java.util.Set<String>> permanentEnhancedCodes() {
    Pattern code = Pattern.compile("5\\.\\d{1,3}\\.\\d{1,3}");
    return new ValueType<>(
        "list",
        "none, or a comma-separated list of permanent enhanced status codes (5.1.1,5.1.2)",
        s -> {
          if (s.strip().equalsIgnoreCase("none")) {
            return java.util.Set.of();
          }
          java.util.LinkedHashSet<String> codes = new java.util.LinkedHashSet<>();
          for (String part : s.split(",")) {
            String c = part.strip();
            if (!code.matcher(c).matches() || !codes.add(c)) {
              throw new IllegalArgumentException();
            }
          }
          return java.util.Collections.unmodifiableSet(codes);
        });
  }

  static Duration parseDuration(String s) {
    return Durations.parse(s, "a duration");
  }

  /** The shortest of the forms {@link #parseDuration} reads. */
  public static String format(Duration d) {
    return Durations.format(d);
  }
}
