package dev.postbus.durations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readsEveryAcceptedForm() {
    Map<String, Duration> accepted =
        Map.ofEntries(
            Map.entry("250ms", Duration.ofMillis(250)),
            Map.entry("30s", Duration.ofSeconds(30)),
            Map.entry("5m", Duration.ofMinutes(5)),
            Map.entry("2h", Duration.ofHours(2)),
            Map.entry("7d", Duration.ofDays(7)),
            Map.entry("0s", Duration.ZERO),
            Map.entry("999999999ms", Duration.ofMillis(999_999_999)),
            Map.entry("1 d", Duration.ofDays(1)),
            Map.entry(" 10s ", Duration.ofSeconds(10)),
            Map.entry("5M", Duration.ofMinutes(5)),
            Map.entry("250MS", Duration.ofMillis(250)),
            Map.entry("PT30S", Duration.ofSeconds(30)),
            Map.entry("PT1M30S", Duration.ofSeconds(90)),
            Map.entry("pt2h", Duration.ofHours(2)),
            Map.entry("P1D", Duration.ofDays(1)),
            Map.entry("P1DT2H", Duration.ofHours(26)),
            Map.entry("PT0.25S", Duration.ofMillis(250)));
    accepted.forEach(
        (text, expected) -> assertThat(Durations.parse(text, "k")).as(text).isEqualTo(expected));
  }

  @Test
  void refusesEverythingElseNamingTheFieldAndTheForms() {
    for (String bad :
        new String[] {
          "",
          " ",
          "10",
          "1.5h",
          "-5s",
          "+5s",
          "5 s s",
          "2w",
          "1y",
          "5mins",
          "s",
          "1000000000s",
          "-PT1H",
          "PT-1H",
          "P-1D",
          "P",
          "PT",
          "PTS",
          "forever",
          "30 seconds"
        }) {
      assertThatThrownBy(() -> Durations.parse(bad, "smtp.idle-timeout"))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "smtp.idle-timeout: expected a duration, a whole number and a unit: 250ms, 30s, 5m,"
                  + " 2h, 1d; or ISO-8601 such as PT30S; got '"
                  + bad.strip()
                  + "'");
    }
    assertThatThrownBy(() -> Durations.parse(null, "--since"))
        .hasMessageStartingWith("--since: expected a duration")
        .hasMessageEndingWith("got nothing");
  }

  @Test
  void writesTheShortestFormItReadsBack() {
    Map<Duration, String> names =
        Map.of(
            Duration.ofMillis(250),
            "250ms",
            Duration.ofSeconds(90),
            "90s",
            Duration.ofMinutes(5),
            "5m",
            Duration.ofHours(2),
            "2h",
            Duration.ofHours(24),
            "1d",
            Duration.ofHours(36),
            "36h",
            Duration.ZERO,
            "0s");
    names.forEach(
        (d, name) -> {
          assertThat(Durations.format(d)).isEqualTo(name);
          assertThat(Durations.parse(name, "k")).isEqualTo(d);
        });
  }
}
