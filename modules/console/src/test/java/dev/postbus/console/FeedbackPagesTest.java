package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeedbackPagesTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void sinceIsAtMostSevenDaysBackWithAClearMessageOtherwise() {
    assertThat(FeedbackPages.since("24h", NOW)).isEqualTo(NOW.minus(Duration.ofHours(24)));
    assertThat(FeedbackPages.since("7d", NOW)).isEqualTo(NOW.minus(Duration.ofDays(7)));
    assertThatThrownBy(() -> FeedbackPages.since("3650d", NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("since")
        .hasMessageContaining("7 days");
    assertThatThrownBy(() -> FeedbackPages.since("2020-01-01T00:00:00Z", NOW))
        .hasMessageContaining("7 days");
  }

  @Test
  void theByDomainTableShowsTheBiggestHundredAndHowManyMore() {
    Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      counts.put("d" + i + ".example\nbounce (permanent)", (long) i);
    }
    FeedbackPages.Domains top = FeedbackPages.topDomains(counts);
    assertThat(top.rows()).hasSize(FeedbackPages.MOST_DOMAINS);
    assertThat(top.rows().get(0).domain()).isEqualTo("d4999.example");
    assertThat(top.rows().get(0).count()).isEqualTo(4999);
    assertThat(top.more()).isEqualTo(5_000 - FeedbackPages.MOST_DOMAINS);
  }
}
