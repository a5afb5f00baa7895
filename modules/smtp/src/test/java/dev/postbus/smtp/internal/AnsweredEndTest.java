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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once the relay answered the end of a message, its answer is the outcome, whatever error of ours
 * follows (building the outcome from the reply, say): a 250 is the message accepted, never in doubt
 * (with retry.in-doubt=retry the worker would send an accepted message again), a 5xx its refusal.
 * What throws here is the making of replies into values; the outcome is then built from the codes
 * and texts alone.
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

  /** A peer that answers with {@code replies} and keeps what it is sent. */
  private static final class Peer extends Socket {
    private final byte[] replies;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

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

    @Override
    public void setSoTimeout(int timeout) {}
  }

  private static SendOutcome send(Peer peer, List<String> ehlo, String... recipients)
      throws Exception {
    SessionIo io = new SessionIo(peer, peer, new ReplyReader(peer.getInputStream()), CONFIG);
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
        .isEqualTo(new SendOutcome.Delivered(new SmtpReply(250, null, "2.0.0 queued as 42")));
  }

  @Test
  void aRefusalOfTheEndIsTheMessageRefusedThoughMakingItsOutcomeThrew() throws Exception {
    Peer peer = new Peer("250 ok\r\n250 ok\r\n354 go\r\n554 5.7.1 spam\r\n");
    assertThat(send(peer, ehlo("PIPELINING"), "b@example.net"))
        .isEqualTo(new SendOutcome.Rejected(new SmtpReply(554, null, "5.7.1 spam"), "DATA"));
  }

  @Test
  void anAcceptedMessageWithARefusedRecipientSaysWhoWasRefused() throws Exception {
    Peer peer = new Peer("250 ok\r\n250 ok\r\n550 5.1.1 unknown\r\n354 go\r\n250 queued\r\n");
    assertThat(send(peer, ehlo("PIPELINING"), "b@example.net", "c@example.net"))
        .isEqualTo(
            new SendOutcome.RecipientsRefused(
                List.of(
                    new SendOutcome.Refusal(
                        "c@example.net", new SmtpReply(550, null, "5.1.1 unknown"))),
                1,
                new SmtpReply(250, null, "queued")));
  }
}
