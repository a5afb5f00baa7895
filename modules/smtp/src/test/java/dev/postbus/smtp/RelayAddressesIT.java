package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.smtp.internal.SessionOpener;
import dev.postbus.smtp.internal.SmtpSession;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Defect 8 of issue 20: every address of the relay's name is tried (A and AAAA) before the
 * connection is called failed. The relay listens on 127.0.0.1 only; its name's first address,
 * 127.0.0.2, refuses the connection.
 */
class RelayAddressesIT {

  @Test
  void theNextAddressIsTriedWhenTheFirstDoesNotAnswer() throws Exception {
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok)) {
      SmtpConfig config =
          SmtpConfig.builder("relay.test", s.port(), TlsMode.NONE)
              .connectTimeout(Duration.ofSeconds(2))
              .readTimeout(Duration.ofSeconds(2))
              .build();
      SessionOpener opener =
          new SessionOpener(
              config,
              host ->
                  new InetAddress[] {
                    InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")
                  });
      SmtpSession session = opener.open();
      try {
        assertThat(session.usable()).isTrue();
      } finally {
        session.quit();
      }
      assertThat(s.connections).isEqualTo(1);
    }
  }

  @Test
  void whenNoAddressAnswersTheConnectionFailsNamingHowManyWereTried() throws Exception {
    int port;
    try (java.net.ServerSocket closed =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    SmtpConfig config =
        SmtpConfig.builder("relay.test", port, TlsMode.NONE)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    SessionOpener opener =
        new SessionOpener(
            config,
            host ->
                new InetAddress[] {
                  InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")
                });
    SessionOpener.OpenFailed failed =
        org.junit.jupiter.api.Assertions.assertThrows(SessionOpener.OpenFailed.class, opener::open);
    assertThat(failed.outcome())
        .isInstanceOfSatisfying(
            SendOutcome.ConnectFailed.class,
            f -> assertThat(f.problem()).contains("all 2 addresses"));
  }
}
