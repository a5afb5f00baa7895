package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.smtp.TlsMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once the relay answered the end of a message, its answer is the outcome, whatever error of ours
 * follows (building the outcome from the reply, say): a 250 is the message accepted, never in doubt
 * (with retry.in-doubt=retry the worker would send an accepted message again), a 5xx its refusal.
 * What throws here is the making of replies into values; the outcome is then built from the codes
 * and texts alone, the enhanced code read from the start of the text. A failure to restore the read
 * timeout after the end's reply loses nothing either: the session is not reused.
 */
class AnsweredEndTest {

  private static final SmtpConfig CONFIG =
      SmtpConfig.builder("127.0.0.1", 25, TlsMode.NONE).build();
  private static final byte[] MIME =
      "Subject: x\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A bug of ours in making a reply a value. */
  private static final Function<Reply, SmtpReply> BROKEN =
      r -> {
        throw new IllegalStateException("a bug of ours");
      };

  /**
   * A peer that answers with {@code replies} and keeps what it is sent; its {@link
   * #failingTimeout}th setting of a timeout throws.
   */
  private static final class Peer extends Socket {
    private final byte[] replies;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int timeouts;
    private int failingTimeout; // 0: none fails

    Peer(String replies) {
      this.replies = replies.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public InputStream getInputStream() {
      return new ByteArrayInputStream(replies);
    }

    @Override
    public OutputStream getOutputStream() {
      return received;
    }

    Peer failingTimeout(int nth) {
      failingTimeout = nth;
      return this;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
      if (++timeouts == failingTimeout) {
        throw new SocketException("injected");
      }
    }
  }

  private static SendOutcome send(Peer peer, List<String> ehlo, String... recipients)
      throws Exception {
    SessionIo io = new SessionIo(peer, peer, new ReplyReader(peer, 60_000), CONFIG);
    try {
      return new SmtpSession(io, Extensions.parse(ehlo), CONFIG, BROKEN)
          .send("a@example.com", recipients, MIME, MIME.length, () -> {}, null, null);
    } finally {
      io.close();
    }
  }

  private static List<String> ehlo(String mode) {
    return mode.equals("lock-step") ? List.of("hand") : List.of("hand", mode);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lock-step", "PIPELINING", "CHUNKING"})
  void aPositiveAnswerToTheEndIsTheMessageAcceptedThoughMakingItsOutcomeThrew(String mode)
      throws Exception {
    String end = mode.equals("CHUNKING") ? "" : "354 go\r\n";
    Peer peer = new Peer("250 ok\r\n250 ok\r\n" + end + "250 2.0.0 queued as 42\r\n");
    assertThat(send(peer, ehlo(mode), "b@example.net"))
        .isEqualTo(new SendOutcome.Delivered(new SmtpReply(250, "2.0.0", "queued as 42")));
  }

  @Test
  void aRefusalOfTheEndIsTheMessageRefusedThoughMakingItsOutcomeThrew() throws Exception {
    Peer peer = new Peer("250 ok\r\n250 ok\r\n354 go\r\n554 5.7.1 spam\r\n");
    assertThat(send(peer, ehlo("PIPELINING"), "b@example.net"))
        .isEqualTo(new SendOutcome.Rejected(new SmtpReply(554, "5.7.1", "spam"), "DATA"));
  }

  @Test
  void anAcceptedMessageWithARefusedRecipientSaysWhoWasRefused() throws Exception {
    Peer peer = new Peer("250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n250 queued\r\n");
    assertThat(send(peer, ehlo("PIPELINING"), "b@example.net", "c@example.net"))
        .isEqualTo(
            new SendOutcome.RecipientsRefused(
                List.of(
                    new SendOutcome.Refusal(
                        "c@example.net", new SmtpReply(550, "5.1.1", "unknown"))),
                1,
                new SmtpReply(250, null, "queued")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lock-step", "PIPELINING", "CHUNKING"})
  void aFailureToRestoreTheReadTimeoutAfterTheEndWasAnsweredLosesNoAnswer(String mode)
      throws Exception {
    String end = mode.equals("CHUNKING") ? "" : "354 go\r\n";
    // the 1st setting is the end's data-done timeout, the 2nd restores the read timeout
    Peer peer = new Peer("250 ok\r\n250 ok\r\n" + end + "250 2.0.0 queued\r\n").failingTimeout(2);
    SessionIo io = new SessionIo(peer, peer, new ReplyReader(peer, 60_000), CONFIG);
    try {
      SmtpSession session = new SmtpSession(io, Extensions.parse(ehlo(mode)), CONFIG);
      assertThat(
              session.send(
                  "a@example.com",
                  new String[] {"b@example.net"},
                  MIME,
                  MIME.length,
                  () -> {},
                  null,
                  null))
          .isEqualTo(new SendOutcome.Delivered(new SmtpReply(250, "2.0.0", "queued")));
      assertThat(session.usable()).as("a session whose timeout is unknown is not reused").isFalse();
    } finally {
      io.close();
    }
  }

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "5.1.1 unknown | 5.1.1 | unknown",
        "4.7.0 try again later | 4.7.0 | try again later",
        "5.1.1 | 5.1.1 | ''",
        "2.0.0  queued as 42 | 2.0.0 | queued as 42",
        "queued as 42 | null | queued as 42",
        "5.1.1x unknown | null | 5.1.1x unknown",
        "6.1.1 unknown | null | 6.1.1 unknown"
      })
  void theFallbackKeepsTheEnhancedCode(String line, String enhanced, String text) {
    assertThat(EndAnswer.minimal(new Reply(550, List.of(line))))
        .isEqualTo(new SmtpReply(550, enhanced, text));
  }

  @Test
  void theFallbackOfAReplyWithoutLinesIsItsCodeAlone() {
    assertThat(EndAnswer.minimal(new Reply(250, null))).isEqualTo(new SmtpReply(250, null, ""));
  }
}
