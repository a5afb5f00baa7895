package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Defect 4 of issue 20: an idle pooled connection. A lock-step refusal must not leave the write
 * deadline armed (the watchdog would close the idle connection and the next message would be lost),
 * and a relay's idle-timeout 421 must not be read as the next command's reply.
 */
class IdleConnectionIT {

  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  private static MimeMessage message() throws Exception {
    MimeMessage m = new MimeMessage(SESSION);
    m.setFrom("a@example.com");
    m.setRecipients(Message.RecipientType.TO, "b@example.net");
    m.setText("x");
    m.saveChanges();
    return m;
  }

  /** Lock-step: MAIL of the first message is refused, everything else is accepted. */
  private static HandRelay.Handler refusingFirstMail(
      AtomicBoolean clientClosed, AtomicBoolean sayIdle421) {
    AtomicInteger mails = new AtomicInteger();
    return p -> {
      p.reply("220 hand ESMTP");
      String line;
      while ((line = p.line()) != null) {
        String verb = line.length() >= 4 ? line.substring(0, 4) : line;
        switch (verb) {
          case "MAIL" ->
              p.reply(
                  mails.incrementAndGet() == 1 && !sayIdle421.get() ? "550 5.7.1 no" : "250 ok");
          case "DATA" -> {
            p.reply("354 go");
            p.data();
            p.reply("250 2.0.0 queued");
            if (sayIdle421.get()) {
              p.reply("421 4.4.2 idle for too long, closing");
              sayIdle421.set(false);
              return;
            }
          }
          case "QUIT" -> {
            p.reply("221 bye");
            return;
          }
          default -> p.reply("250 ok");
        }
      }
      clientClosed.set(true);
    };
  }

  @Test
  void aLockStepRefusalLeavesNoWriteDeadlineToCloseTheIdleConnection() throws Exception {
    AtomicBoolean clientClosed = new AtomicBoolean();
    try (HandRelay relay = new HandRelay(refusingFirstMail(clientClosed, new AtomicBoolean()))) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", relay.port(), TlsMode.NONE)
              .writeTimeout(Duration.ofMillis(200))
              .readTimeout(Duration.ofSeconds(5))
              .build();
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        assertThat(c.send(message(), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Rejected.class);
        // Idle for well past the write timeout: nothing may close the connection.
        Awaitility.await()
            .during(Duration.ofSeconds(1))
            .atMost(Duration.ofSeconds(3))
            .until(() -> !clientClosed.get());
        assertThat(c.send(message(), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
        assertThat(c.opens()).isEqualTo(1);
      }
    }
  }

  @Test
  void aRelaysIdleTimeout421IsNotTakenAsTheNextCommandsReply() throws Exception {
    AtomicBoolean clientClosed = new AtomicBoolean();
    AtomicBoolean sayIdle421 = new AtomicBoolean(true);
    try (HandRelay relay = new HandRelay(refusingFirstMail(clientClosed, sayIdle421))) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", relay.port(), TlsMode.NONE)
              .readTimeout(Duration.ofSeconds(5))
              .build();
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        assertThat(c.send(message(), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
        Awaitility.await("the relay's 421")
            .atMost(Duration.ofSeconds(5))
            .until(() -> !sayIdle421.get());
        assertThat(c.send(message(), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
        assertThat(c.opens()).isEqualTo(2);
      }
    }
  }

  /** A clock the test moves by hand. */
  private static final class HandClock extends java.time.Clock {
    private volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  @Test
  void aRelayThatHungUpWithoutAWordWhileIdleIsNotUsedAgain() throws Exception {
    AtomicBoolean hungUp = new AtomicBoolean();
    try (HandRelay relay =
        new HandRelay(
            p -> {
              p.envelope(java.util.List.of(), null);
              p.data();
              p.reply("250 2.0.0 queued");
              hungUp.set(true); // and closes: no 421, just the end of the stream
            })) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", relay.port(), TlsMode.NONE)
              .readTimeout(Duration.ofSeconds(5))
              .build();
      HandClock clock = new HandClock();
      try (SmtpConnection c = new SmtpConnection(config, clock, "t")) {
        assertThat(c.send(message(), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
        Awaitility.await("the relay hung up").atMost(Duration.ofSeconds(5)).untilTrue(hungUp);
        clock.advance(Duration.ofSeconds(5)); // idle for a while, below smtp.idle-timeout
        assertThat(c.send(message(), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
        assertThat(c.opens()).isEqualTo(2);
      }
    }
  }
}
