package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionCodec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dlt replay}'s "still suppressed": global entries, and list entries of the job's list. */
class ReplayHeldTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Suppression LEFT_NEWS =
      Suppression.unsubscribe("bob@example.net", "news", NOW.minusSeconds(60));
  private static final Suppression BOUNCED =
      new Suppression("carol@example.net", "550 5.1.1", 550, "5.1.1", Source.BOUNCE, NOW, null);

  private static Map<SuppressionCodec.Key, Suppression> entries(Suppression... all) {
    Map<SuppressionCodec.Key, Suppression> m = new java.util.HashMap<>();
    for (Suppression s : all) {
      m.put(s.key(), s);
    }
    return m;
  }

  @Test
  void aListEntryCountsForADeadLetterOfThatList() {
    assertThat(DltCommand.Replay.held(List.of("Bob@Example.net"), "news", entries(LEFT_NEWS), NOW))
        .isEqualTo(1);
  }

  @Test
  void aListEntryDoesNotCountForAnotherListOrNone() {
    assertThat(
            DltCommand.Replay.held(List.of("bob@example.net"), "offers", entries(LEFT_NEWS), NOW))
        .isZero();
    assertThat(DltCommand.Replay.held(List.of("bob@example.net"), null, entries(LEFT_NEWS), NOW))
        .isZero();
  }

  @Test
  void aGlobalEntryCountsForEveryDeadLetterAndAnExpiredOneForNone() {
    assertThat(
            DltCommand.Replay.held(
                List.of("carol@example.net", "bob@example.net"), null, entries(BOUNCED), NOW))
        .isEqualTo(1);
    assertThat(DltCommand.Replay.held(List.of("carol@example.net"), "news", entries(BOUNCED), NOW))
        .isEqualTo(1);
    Suppression expired =
        new Suppression(
            "carol@example.net",
            "x",
            null,
            null,
            Source.OPERATOR,
            NOW.minusSeconds(99),
            NOW.minusSeconds(1));
    assertThat(DltCommand.Replay.held(List.of("carol@example.net"), null, entries(expired), NOW))
        .isZero();
  }
}
