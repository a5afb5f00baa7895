package dev.postbus.feedback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.feedback.model.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MailgunTokensTest {

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-12-07T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static byte[] body(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aTokenTakesItsFirstBodyAgainButNoOther() {
    MailgunTokens tokens = new MailgunTokens(10, Duration.ofMinutes(65), new MovingClock());
    tokens.accept("t", body("one"));
    assertThatCode(() -> tokens.accept("t", body("one"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> tokens.accept("t", body("two")))
        .isInstanceOfSatisfying(
            Refusal.class,
            r -> {
              assertThat(r.status()).isEqualTo(403);
              assertThat(r.reason()).isEqualTo("replay");
            });
  }

  @Test
  void tokensAreForgottenAfterTheWindowAndBeyondTheBound() {
    MovingClock clock = new MovingClock();
    MailgunTokens tokens = new MailgunTokens(3, Duration.ofMinutes(65), clock);
    for (String t : new String[] {"a", "b", "c", "d"}) {
      tokens.accept(t, body(t));
    }
    assertThat(tokens.size()).isEqualTo(3);
    assertThatCode(() -> tokens.accept("a", body("other"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> tokens.accept("d", body("other"))).isInstanceOf(Refusal.class);
    clock.now = clock.now.plus(Duration.ofMinutes(65));
    assertThatCode(() -> tokens.accept("d", body("other"))).doesNotThrowAnyException();
  }
}
