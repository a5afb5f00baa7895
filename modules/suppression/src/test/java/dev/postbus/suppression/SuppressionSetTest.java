package dev.postbus.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SuppressionSetTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void findsAnAddressWhateverItsCaseOrSpacesAndForgetsItWhenRemoved() {
    SuppressionSet set = new SuppressionSet();
    set.add(Suppression.bounce("Bob@Example.NET", 550, "5.1.1", "RCPT", NOW));

    assertThat(set.find("  bob@example.net ", NOW))
        .isEqualTo(new SuppressionSet.Match(Source.BOUNCE, "RCPT refused with 550 5.1.1"));
    assertThat(set.find("alice@example.net", NOW)).isNull();
    assertThat(set.size()).isEqualTo(1);

    set.remove("BOB@example.net");
    assertThat(set.find("bob@example.net", NOW)).isNull();
    assertThat(set.size()).isZero();
  }

  @Test
  void anEntryStopsCountingAtItsExpiry() {
    SuppressionSet set = new SuppressionSet();
    set.add(
        new Suppression(
            "a@example.com", "on hold", null, null, Source.OPERATOR, NOW, NOW.plusSeconds(60)));

    assertThat(set.find("a@example.com", NOW.plusSeconds(59)).source()).isEqualTo(Source.OPERATOR);
    assertThat(set.find("a@example.com", NOW.plusSeconds(60))).isNull();
  }

  @Test
  void theNewestEntryOfAnAddressWins() {
    SuppressionSet set = new SuppressionSet();
    set.add(new Suppression("a@example.com", "first", null, null, Source.IMPORT, NOW, null));
    set.add(new Suppression("a@example.com", "second", null, null, Source.OPERATOR, NOW, null));

    assertThat(set.find("a@example.com", NOW))
        .isEqualTo(new SuppressionSet.Match(Source.OPERATOR, "second"));
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void reasonsBeyondTheTableShareOneThatSaysWhereToLook() {
    SuppressionSet set = new SuppressionSet();
    for (int i = 0; i < SuppressionSet.MAX_REASONS + 10; i++) {
      set.add(
          new Suppression(
              "u" + i + "@example.com", "reason " + i, null, null, Source.IMPORT, NOW, null));
    }

    assertThat(set.find("u5@example.com", NOW).reason()).isEqualTo("reason 5");
    assertThat(set.find("u" + (SuppressionSet.MAX_REASONS + 5) + "@example.com", NOW).reason())
        .isEqualTo(SuppressionSet.UNKEPT_REASON);
  }

  @Test
  void aListScopedEntryHoldsOnlyForItsListAndAGlobalOneForEveryMail() {
    SuppressionSet set = new SuppressionSet();
    set.add(Suppression.unsubscribe("bob@example.net", "news", NOW));

    assertThat(set.find("Bob@example.net", "news", NOW))
        .isEqualTo(
            new SuppressionSet.Match(
                Source.UNSUBSCRIBE, "unsubscribed from news (one-click)", "news"));
    assertThat(set.find("bob@example.net", "offers", NOW)).isNull();
    assertThat(set.find("bob@example.net", null, NOW)).isNull(); // a password reset goes out
    assertThat(set.find("bob@example.net", NOW)).isNull();

    set.add(new Suppression("bob@example.net", "asked", null, null, Source.OPERATOR, NOW, null));
    assertThat(set.find("bob@example.net", "offers", NOW).list()).isNull();
    assertThat(set.find("bob@example.net", null, NOW).source()).isEqualTo(Source.OPERATOR);

    set.remove("bob@example.net");
    assertThat(set.find("bob@example.net", null, NOW)).isNull();
    assertThat(set.find("bob@example.net", "news", NOW)).isNotNull();
    set.remove("bob@example.net", "news");
    assertThat(set.find("bob@example.net", "news", NOW)).isNull();
    assertThat(set.size()).isZero();
  }

  @Test
  void everySourceSurvivesPackingWithAnExpiry() {
    SuppressionSet set = new SuppressionSet();
    for (Source source : Source.values()) {
      set.add(
          new Suppression(
              source.label() + "@example.com",
              "from " + source.label(),
              null,
              null,
              source,
              NOW,
              NOW.plusSeconds(3600)));
    }

    for (Source source : Source.values()) {
      assertThat(set.find(source.label() + "@example.com", NOW))
          .isEqualTo(new SuppressionSet.Match(source, "from " + source.label()));
    }
    assertThat(Source.fromLabel("feedback")).isEqualTo(Source.FEEDBACK);
  }
}
