package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimesTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void takesAnInstantOrAnAgeBackFromNow() {
    assertThat(Times.instantOrAge("2026-11-24T10:00:00Z", "--since", NOW))
        .isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
    assertThat(Times.instantOrAge("2h", "--since", NOW))
        .isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
    assertThat(Times.instantOrAge(" 7d ", "--since", NOW))
        .isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
    assertThat(Times.instantOrAge("250ms", "--since", NOW)).isEqualTo(NOW.minusMillis(250));
    assertThat(Times.instantOrAge("PT30M", "--since", NOW))
        .isEqualTo(Instant.parse("2026-12-02T09:30:00Z"));
    assertThat(Times.instantOrAge(null, "--since", NOW)).isNull();
  }

  @Test
  void refusesAnythingElseNamingTheOption() {
    for (String bad : new String[] {"", "yesterday", "2w", "3651d", "-PT1H"}) {
      assertThatThrownBy(() -> Times.instantOrAge(bad, "--until", NOW))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "--until must be an ISO-8601 time (2026-11-24T10:00:00Z) or an age (2h, 30m, 7d);"
                  + " got '"
                  + bad.strip()
                  + "'");
    }
  }
}
