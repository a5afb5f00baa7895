package dev.postbus.smtp;

import static dev.postbus.smtp.ScriptedSends.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Defects 3, 5 and 6 of issue 20: a relay that scans a message for longer than the read timeout
 * before it answers the end (the data-done timeout, RFC 5321 4.5.3.2.6), a link slower than the
 * write timeout allows for a whole message (the write timeout is for inactivity), and a relay that
 * never answers QUIT.
 */
class SlowRelayIT {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"DATA", "BDAT"})
  void anEndAnsweredAfterTheReadTimeoutButBeforeTheDataDoneTimeoutIsDeliveredOnce(String mode)
      throws Exception {
    List<String> ext = mode.equals("BDAT") ? List.of("PIPELINING", "CHUNKING") : List.of();
    try (ScriptedServer s =
        new ScriptedServer(
            ext,
            false,
            cmd -> {
              if (cmd.equals(".") || cmd.startsWith("BDAT")) {
                scan(Duration.ofMillis(2500));
              }
              return cmd.startsWith("BDAT") ? "250 2.0.0 queued" : ScriptedServer.ok(cmd);
            })) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", s.port(), TlsMode.NONE)
              .readTimeout(Duration.ofSeconds(1))
              .build();
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        assertThat(c.send(message("scanned for a while"), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
      assertThat(s.messages).hasSize(1);
    }
  }

  /** The relay's virus scan: it takes this long, whatever the client does. */
  private static void scan(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aMessageOverALinkSlowerThanTheWriteTimeoutAllowsForItAllIsDelivered() throws Exception {
    // About 2 MB/s: a 12 MB message takes some 6 s, three times the write timeout, yet the link
    // never stops for as long as the write timeout. The write timeout is 2 s, not less, so that a
    // loaded machine descheduling the relay's thread for a second (two helpers' builds on 2 cores
    // cut the connection twice at 1 s) is not taken for a stalled link.
    try (HandRelay relay =
        new HandRelay(
            null,
            32 * 1024,
            p -> {
              p.envelope(List.of(), null);
              p.slowData(32 * 1024, 15);
              p.reply("250 2.0.0 queued");
              p.line();
            })) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", relay.port(), TlsMode.NONE)
              .readTimeout(Duration.ofSeconds(10))
              .writeTimeout(Duration.ofSeconds(2))
              .build();
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        assertThat(c.send(message("y".repeat(12 * 1024 * 1024)), Rcpt.of("b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
    }
  }

  @Test
  void closingNeverWaitsForARelayThatDoesNotAnswerQuit() throws Exception {
    try (ScriptedServer s =
        new ScriptedServer(
            List.of(),
            false,
            cmd -> {
              if (cmd.equals("QUIT")) {
                scan(Duration.ofSeconds(30));
              }
              return ScriptedServer.ok(cmd);
            })) {
      SmtpConfig config =
          SmtpConfig.builder("127.0.0.1", s.port(), TlsMode.NONE)
              .readTimeout(Duration.ofSeconds(20))
              .build();
      SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t");
      assertThat(c.send(message("x"), Rcpt.of("b@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertTimeoutPreemptively(Duration.ofSeconds(5), c::close);
      assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }
}
