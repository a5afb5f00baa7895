package dev.postbus.smtp;

import static dev.postbus.smtp.ScriptedSends.config;
import static dev.postbus.smtp.ScriptedSends.message;
import static dev.postbus.smtp.ScriptedSends.sendOnce;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Defects 12 and 13 of issue 20: a 421 to any reply ends the session, and a reply that cannot
 * answer the command it is matched to breaks the session (lost or in doubt), never refuses the job.
 */
class ProtocolGuardIT {

  @Test
  void a421ToOneRecipientAmongAcceptedOnesEndsTheSessionAfterTheMessage() throws Exception {
    try (ScriptedServer s =
            new ScriptedServer(
                List.of("PIPELINING"),
                true,
                cmd ->
                    cmd.contains("<gone@") ? "421 4.3.2 shutting down" : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("b@example.net", "gone@example.net")))
          .isInstanceOf(SendOutcome.RecipientsRefused.class);
      assertThat(c.send(message("y"), Rcpt.of("b@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
    }
  }

  @Test
  void a421ToTheLoneDotAfterNoAcceptedRecipientEndsTheSessionToo() throws Exception {
    try (ScriptedServer s =
            new ScriptedServer(
                List.of("PIPELINING"),
                true,
                cmd ->
                    cmd.contains("<gone@")
                        ? "550 5.1.1 no such user"
                        : cmd.equals(".") ? "421 4.3.2 shutting down" : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("gone@example.net")))
          .isInstanceOf(SendOutcome.RecipientsRefused.class);
      assertThat(c.opens()).isEqualTo(1);
      c.send(message("y"), Rcpt.of("b@example.net"));
      assertThat(c.opens()).isEqualTo(2);
    }
  }

  @Test
  void a354ToTheEndOfDataIsAProtocolErrorInDoubtNeverAPermanentRefusal() throws Exception {
    SendOutcome o =
        sendOnce(
            List.of("PIPELINING"),
            cmd -> cmd.equals(".") ? "354 go ahead" : ScriptedServer.ok(cmd),
            message("x"),
            Rcpt.of("b@example.net"));
    assertThat(o).isInstanceOf(SendOutcome.InDoubt.class);
  }

  @Test
  void repliesThatCannotAnswerTheirCommandsBreakTheSessionAsLost() throws Exception {
    // A relay answering out of order: 354 to RCPT, 250 to DATA.
    SendOutcome o =
        sendOnce(
            List.of("PIPELINING"),
            cmd ->
                cmd.startsWith("RCPT")
                    ? "354 go ahead"
                    : cmd.startsWith("DATA") ? "250 ok" : ScriptedServer.ok(cmd),
            message("x"),
            Rcpt.of("b@example.net"));
    assertThat(o).isInstanceOf(SendOutcome.ConnectionLost.class);
    SendOutcome mail =
        sendOnce(
            List.of(),
            cmd -> cmd.startsWith("MAIL") ? "354 go ahead" : ScriptedServer.ok(cmd),
            message("x"),
            Rcpt.of("b@example.net"));
    assertThat(mail).isInstanceOf(SendOutcome.ConnectionLost.class);
  }

  /** Answers every RCPT at once with a long reply, the {@code slowAt}th after {@code pause}. */
  private static HandRelay manyRecipientsRelay(int slowAt, long pauseMillis) throws Exception {
    return manyRecipientsRelay(slowAt, pauseMillis, "250 PIPELINING");
  }

  private static HandRelay manyRecipientsRelay(int slowAt, long pauseMillis, String lastEhlo)
      throws Exception {
    String longReply = "250 2.1.5 recipient ok " + "x".repeat(400);
    java.util.concurrent.atomic.AtomicInteger rcpts =
        new java.util.concurrent.atomic.AtomicInteger();
    return new HandRelay(
        null,
        8 * 1024,
        p -> {
          p.sendBuffer(8 * 1024);
          p.reply("220 hand ESMTP");
          String line;
          while ((line = p.line()) != null) {
            String verb = line.length() >= 4 ? line.substring(0, 4) : line;
            switch (verb) {
              case "EHLO" -> p.reply("250-hand\r\n" + lastEhlo);
              case "RCPT" -> {
                if (rcpts.incrementAndGet() == slowAt) {
                  Thread.sleep(pauseMillis); // the relay's directory lookup is slow for this one
                }
                p.reply(longReply);
              }
              case "DATA" -> {
                p.reply("354 go");
                p.data();
                p.reply("250 2.0.0 queued");
              }
              case "QUIT" -> {
                p.reply("221 bye");
                return;
              }
              default -> p.reply("250 ok");
            }
          }
        });
  }

  private static Address[] many() throws Exception {
    String[] many = new String[20_000];
    for (int i = 0; i < many.length; i++) {
      many[i] = "recipient-" + i + "-" + "r".repeat(40) + "@" + "d".repeat(150) + ".example.net";
    }
    return Rcpt.of(many);
  }

  private static SmtpConfig manyConfig(HandRelay relay, Duration writeTimeout) {
    return SmtpConfig.builder("127.0.0.1", relay.port(), TlsMode.NONE)
        .readTimeout(Duration.ofSeconds(5))
        .writeTimeout(writeTimeout)
        .build();
  }

  private static SendOutcome sendToMany(HandRelay relay, Duration writeTimeout) throws Exception {
    try (SmtpConnection c =
        new SmtpConnection(manyConfig(relay, writeTimeout), Clock.systemUTC(), "t")) {
      return c.send(message("x"), many());
    }
  }

  @Test
  void aNextEnvelopeOfManyRecipientsIsNotWrittenAheadButSentCutWithItsOwnMessage()
      throws Exception {
    // Written ahead after the ".", 20,000 RCPTs would fill the relay's buffers (it answers each at
    // once, and we read nothing until the next send): our write would block, the watchdog close
    // the socket, and a message the relay accepted be reported in doubt.
    try (HandRelay relay = manyRecipientsRelay(-1, 0, "250-PIPELINING\r\n250 8BITMIME");
        SmtpConnection c =
            new SmtpConnection(manyConfig(relay, Duration.ofSeconds(2)), Clock.systemUTC(), "t")) {
      MimeMessage next = message("y");
      Address[] many = many();
      assertThat(
              c.send(message("x"), Rcpt.of("b@example.net"), SmtpConnection.envelopeOf(next, many)))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.hasAhead()).isFalse();
      assertThat(c.send(next, many)).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(1);
    }
  }

  @Test
  void aPipelinedGroupOfManyRecipientsIsCutSoThatNeitherSideBlocks() throws Exception {
    // RFC 2920 3.1: a relay that answers every RCPT at once and whose replies we do not read stops
    // reading our commands once its send buffer is full; a group written whole would then block
    // both sides until the write timeout.
    try (HandRelay relay = manyRecipientsRelay(-1, 0)) {
      assertThat(sendToMany(relay, Duration.ofSeconds(2)))
          .isInstanceOf(SendOutcome.Delivered.class);
    }
  }

  @Test
  void readingTheRepliesInTheMiddleOfALongGroupIsNotUnderTheWriteDeadline() throws Exception {
    // One reply in the middle takes longer than the write timeout: it is a read, bounded by the
    // read timeout, not a stalled write.
    try (HandRelay relay = manyRecipientsRelay(500, 1500)) {
      assertThat(sendToMany(relay, Duration.ofMillis(500)))
          .isInstanceOf(SendOutcome.Delivered.class);
    }
  }
}
