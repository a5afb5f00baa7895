package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ledger gate (wait for the previous message's ledger entry) runs before the end of a message
 * is written, but never under the write deadline: a gate that waits longer than smtp.write-timeout
 * must not let the watchdog close an idle socket and turn a message never sent into one in doubt.
 */
class BdatGateIT {

  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  @ParameterizedTest(name = "CHUNKING with {0}")
  @ValueSource(strings = {"PIPELINING", "no PIPELINING"})
  void aGateSlowerThanTheWriteTimeoutDoesNotBreakABdatSend(String pipelining) throws Exception {
    List<String> ext =
        pipelining.equals("PIPELINING") ? List.of("PIPELINING", "CHUNKING") : List.of("CHUNKING");
    try (ScriptedServer s = new ScriptedServer(ext, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(
                SmtpConfig.builder("127.0.0.1", s.port(), TlsMode.NONE)
                    .readTimeout(Duration.ofSeconds(10))
                    .writeTimeout(Duration.ofMillis(300))
                    .build(),
                Clock.systemUTC(),
                "t")) {
      // Stands for a ledger write that takes longer than the write timeout (Kafka slow to ack).
      c.beforeFinalDot(BdatGateIT::slowGate);
      MimeMessage m = new MimeMessage(SESSION);
      m.setFrom("a@example.com");
      m.setRecipients(Message.RecipientType.TO, "b@example.net");
      m.setText("hello");
      m.saveChanges();
      assertThat(c.send(m, Rcpt.of("b@example.net"))).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(s.messages).hasSize(1);
    }
  }

  @ParameterizedTest(name = "extensions [{0}]")
  @ValueSource(strings = {"PIPELINING,CHUNKING", "CHUNKING", "PIPELINING", ""})
  void aGateThatThrowsSendsNoEndOfMessageAndDropsTheConnection(String extensions) throws Exception {
    List<String> ext = extensions.isEmpty() ? List.of() : List.of(extensions.split(","));
    try (ScriptedServer s = new ScriptedServer(ext, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(
                SmtpConfig.builder("127.0.0.1", s.port(), TlsMode.NONE)
                    .readTimeout(Duration.ofSeconds(10))
                    .build(),
                Clock.systemUTC(),
                "t")) {
      // Stands for the worker's ledger gate once the ledger's writer is lost: the dot is withheld.
      c.beforeFinalDot(
          () -> {
            throw new IllegalStateException("withheld");
          });
      MimeMessage m = new MimeMessage(SESSION);
      m.setFrom("a@example.com");
      m.setRecipients(Message.RecipientType.TO, "b@example.net");
      m.setText("hello");
      m.saveChanges();

      org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.send(m, Rcpt.of("b@example.net")))
          .hasMessage("withheld");
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
      assertThat(s.messages).as("the relay never had the end of the message").isEmpty();
    }
  }

  private static void slowGate() {
    try {
      TimeUnit.MILLISECONDS.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
