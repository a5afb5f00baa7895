package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.job.UnsubscribeToken.Status;
import org.junit.jupiter.api.Test;

class UnsubscribeTokenTest {

  private static final String KEY = "k".repeat(32);
  private static final String OLD_KEY = "o".repeat(32);
  private static final String ID = "0b6e7a52-4d0c-4b5e-9d3a-1f1c2e3d4a5b";

  private final UnsubscribeToken tokens = new UnsubscribeToken(KEY, null);

  @Test
  void aTokenNamesItsListRecipientAndJob() {
    String t = tokens.token("news", "Bob@Example.com", ID);

    UnsubscribeToken.Check c = tokens.check(t);
    assertThat(c.status()).isEqualTo(Status.VALID);
    assertThat(c.claim()).isEqualTo(new UnsubscribeToken.Claim("news", "bob@example.com", ID));
  }

  @Test
  void aTokenIsUrlSafeAndCompact() {
    String t = tokens.token("news", "bob@example.com", ID);
    assertThat(t).matches("[A-Za-z0-9_.-]+");
    assertThat(t.length()).isLessThan(100);
    String other = tokens.token("news", "bob@example.com", "not-a-uuid/1");
    assertThat(tokens.check(other).claim().jobId()).isEqualTo("not-a-uuid/1");
  }

  @Test
  void theTokenDoesNotShowTheRecipientOrTheList() {
    String t = tokens.token("newsletter", "bob.secret@example.com", ID);
    for (String part : t.split("\\.")) {
      String decoded =
          new String(
              java.util.Base64.getUrlDecoder().decode(part),
              java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(decoded).doesNotContain("bob.secret", "example.com", "newsletter");
    }
    assertThat(tokens.check(t).claim().address()).isEqualTo("bob.secret@example.com");
  }

  @Test
  void anAlteredTokenIsForged() {
    String t = tokens.token("news", "bob@example.com", ID);
    String[] parts = t.split("\\.");
    String otherPayload =
        tokens.token("news", "eve@example.com", ID).split("\\.")[1]; // another recipient
    assertThat(tokens.check(parts[0] + "." + otherPayload + "." + parts[2]).status())
        .isEqualTo(Status.FORGED);
    char last = t.charAt(t.length() - 1);
    String flipped = t.substring(0, t.length() - 1) + (last == 'A' ? 'B' : 'A');
    assertThat(tokens.check(flipped).status()).isEqualTo(Status.FORGED);
  }

  @Test
  void anotherKeysTokenIsUnknownAndGarbageIsMalformed() {
    String foreign = new UnsubscribeToken("x".repeat(32), null).token("news", "b@example.com", ID);
    assertThat(tokens.check(foreign).status()).isEqualTo(Status.UNKNOWN_KEY);
    assertThat(tokens.check("abc").status()).isEqualTo(Status.MALFORMED);
    assertThat(tokens.check("a.!!!.b").status()).isEqualTo(Status.MALFORMED);
    assertThat(tokens.check("a.AQ.b").status()).isEqualTo(Status.MALFORMED);
    assertThat(tokens.check("x".repeat(2000)).status()).isEqualTo(Status.MALFORMED);
  }

  @Test
  void aPreviousKeyStillChecksButNeverSigns() {
    String before = new UnsubscribeToken(OLD_KEY, null).token("news", "b@example.com", ID);
    UnsubscribeToken rotated = new UnsubscribeToken(KEY, OLD_KEY);

    assertThat(rotated.check(before).status()).isEqualTo(Status.VALID);
    assertThat(rotated.token("news", "b@example.com", ID))
        .isEqualTo(tokens.token("news", "b@example.com", ID));
  }

  @Test
  void aShortKeyIsRefused() {
    assertThatThrownBy(() -> new UnsubscribeToken("short", null))
        .hasMessage("unsubscribe key: fewer than 32 characters");
    assertThat(tokens.toString()).doesNotContain(KEY);
  }
}
