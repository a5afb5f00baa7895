package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * One connection against real SMTP servers: GreenMail for acceptance, SubEthaSMTP scripted with
 * faults.
 */
class SmtpConnectionIT {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private static MimeMessage message(Session session, String subject) throws Exception {
    MimeMessage m = new MimeMessage(session);
    m.setFrom("a@example.com");
    m.setRecipients(jakarta.mail.Message.RecipientType.TO, "b@example.com");
    m.setSubject(subject);
    m.setText("hello");
    return m;
  }

  private static SmtpConfig plain(int port) {
    return SmtpConfig.of("127.0.0.1", port, TlsMode.NONE).toBuilder()
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(2))
        .writeTimeout(Duration.ofSeconds(2))
        .build()
        .toBuilder()
        .dataDoneTimeout(Duration.ofSeconds(2))
        .build();
  }

  @Test
  void deliversOverOnePersistentConnection() throws Exception {
    SmtpConfig config = plain(greenMail.getSmtp().getPort());
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
      for (int i = 0; i < 5; i++) {
        SendOutcome outcome =
            c.send(message(SmtpConnection.sessionFor(config), "m" + i), Rcpt.of("b@example.com"));
        assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
        assertThat(((SendOutcome.Delivered) outcome).reply().code()).isEqualTo(250);
      }
      assertThat(c.opens()).isEqualTo(1);
    }
    assertThat(greenMail.getReceivedMessages()).hasSize(5);
  }

  @Test
  void reconnectsAfterTheMaximumMessagesPerConnection() throws Exception {
    SmtpConfig config =
        plain(greenMail.getSmtp().getPort()).toBuilder()
            .maxMessagesPerConnection(2)
            .maxConnectionAge(Duration.ofMinutes(5))
            .idleTimeout(Duration.ofMinutes(1))
            .build();
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
      for (int i = 0; i < 5; i++) {
        assertThat(
                c.send(
                    message(SmtpConnection.sessionFor(config), "m" + i), Rcpt.of("b@example.com")))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
      assertThat(c.opens()).isEqualTo(3);
    }
  }

  @Test
  void closeIsIdempotentAndEndsTheLifecycle() {
    SmtpConnection c =
        new SmtpConnection(plain(greenMail.getSmtp().getPort()), Clock.systemUTC(), "lane-0");
    c.close();
    c.close();
    assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  void refusedSoleRecipientIsARefusalWithTheEnhancedCodeAndNothingSent() throws Exception {
    withScriptedServer(
        h ->
            h.rcpt =
                a -> {
                  throw new RejectException(550, "5.1.1 User unknown");
                },
        port -> {
          SendOutcome outcome = send(port);
          assertThat(outcome)
              .isEqualTo(
                  new SendOutcome.RecipientsRefused(
                      List.of(
                          new SendOutcome.Refusal(
                              "b@example.com", new SmtpReply(550, "5.1.1", "User unknown"))),
                      0,
                      null));
        });
  }

  @Test
  void refusedRecipientDoesNotStopTheMessageToTheOthers() throws Exception {
    AtomicInteger messages = new AtomicInteger();
    withScriptedServer(
        h -> {
          h.rcpt =
              a -> {
                if (a.startsWith("gone")) {
                  throw new RejectException(550, "5.1.1 User unknown");
                }
                if (a.startsWith("full")) {
                  throw new RejectException(452, "4.2.2 Mailbox full");
                }
              };
          h.data =
              in -> {
                in.readAllBytes();
                messages.incrementAndGet();
              };
        },
        port -> {
          SmtpConfig config = plain(port);
          try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
            SendOutcome outcome =
                c.send(
                    message(SmtpConnection.sessionFor(config), "s"),
                    Rcpt.of("ok@example.com", "gone@example.com", "full@example.com"));
            assertThat(outcome).isInstanceOf(SendOutcome.RecipientsRefused.class);
            SendOutcome.RecipientsRefused r = (SendOutcome.RecipientsRefused) outcome;
            assertThat(r.accepted()).isEqualTo(1);
            assertThat(r.dataReply().code()).isEqualTo(250);
            assertThat(r.refused())
                .extracting(SendOutcome.Refusal::address)
                .containsExactly("gone@example.com", "full@example.com");
            assertThat(r.refused()).extracting(f -> f.reply().code()).containsExactly(550, 452);
            assertThat(
                    c.send(
                        message(SmtpConnection.sessionFor(config), "next"),
                        Rcpt.of("ok@example.com")))
                .as("the connection is still usable")
                .isInstanceOf(SendOutcome.Delivered.class);
          }
          assertThat(messages.get()).isEqualTo(2);
        });
  }

  @Test
  void temporaryRefusalOfTheMessageIsARejectionOfData() throws Exception {
    withScriptedServer(
        h ->
            h.data =
                in -> {
                  throw new RejectException(451, "4.3.0 Try again later");
                },
        port -> {
          SendOutcome outcome = send(port);
          assertThat(outcome).isInstanceOf(SendOutcome.Rejected.class);
          SendOutcome.Rejected r = (SendOutcome.Rejected) outcome;
          assertThat(r.reply().code()).isEqualTo(451);
          assertThat(r.reply().enhancedCode()).isEqualTo("4.3.0");
        });
  }

  @Test
  void noReplyAfterTheFinalDotIsInDoubt() throws Exception {
    withScriptedServer(
        h ->
            h.data =
                in -> {
                  try {
                    in.readAllBytes();
                    // longer than the client's 2 s data-done timeout: the reply never comes in time
                    Thread.sleep(4_000);
                  } catch (Exception e) {
                    Thread.currentThread().interrupt();
                  }
                },
        port -> assertThat(send(port)).isInstanceOf(SendOutcome.InDoubt.class));
  }

  @Test
  void refusedConnectionIsAConnectionFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(send(port)).isInstanceOf(SendOutcome.ConnectFailed.class);
  }

  @Test
  void starttlsRequiredRefusesAServerWithoutStarttls() throws Exception {
    SmtpConfig config =
        SmtpConfig.of("127.0.0.1", greenMail.getSmtp().getPort(), TlsMode.STARTTLS_REQUIRED);
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
      SendOutcome outcome =
          c.send(message(SmtpConnection.sessionFor(config), "s"), Rcpt.of("b@example.com"));
      assertThat(outcome).isInstanceOf(SendOutcome.RelayRefused.class);
      assertThat(((SendOutcome.RelayRefused) outcome).problem()).contains("STARTTLS is required");
    }
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void wrongPasswordIsARelayRefusalNotAMessageFailure() throws Exception {
    greenMail.getUserManager().setAuthRequired(true);
    try {
      greenMail.setUser("sender@example.com", "sender", "right");
      SmtpConfig config =
          plain(greenMail.getSmtp().getPort()).toBuilder()
              .credentials("sender", Secret.of("wrong"))
              .authOverPlaintext(true) // GreenMail here has no TLS
              .build();
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
        SendOutcome outcome =
            c.send(message(SmtpConnection.sessionFor(config), "s"), Rcpt.of("b@example.com"));
        assertThat(outcome).isInstanceOf(SendOutcome.RelayRefused.class);
        assertThat(((SendOutcome.RelayRefused) outcome).problem())
            .isEqualTo("authentication failed");
      }
      SmtpConfig right =
          plain(greenMail.getSmtp().getPort()).toBuilder()
              .credentials("sender", Secret.of("right"))
              .authOverPlaintext(true)
              .build();
      try (SmtpConnection c = new SmtpConnection(right, Clock.systemUTC(), "lane-0")) {
        assertThat(c.send(message(SmtpConnection.sessionFor(right), "s"), Rcpt.of("b@example.com")))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
    } finally {
      greenMail.getUserManager().setAuthRequired(false);
    }
  }

  private static SendOutcome send(int port) throws Exception {
    SmtpConfig config = plain(port);
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
      return c.send(message(SmtpConnection.sessionFor(config), "s"), Rcpt.of("b@example.com"));
    }
  }

  interface Body<T> {
    void accept(T t) throws Exception;
  }

  /** What a scripted server does on each command; the defaults accept. */
  static final class Script {
    Body<String> rcpt = a -> {};
    Body<InputStream> data = InputStream::readAllBytes;
  }

  private static void withScriptedServer(Consumer<Script> setup, Body<Integer> test)
      throws Exception {
    Script script = new Script();
    setup.accept(script);
    AtomicInteger sessions = new AtomicInteger();
    SMTPServer server =
        SMTPServer.port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .messageHandlerFactory(
                (MessageContext ctx) -> {
                  sessions.incrementAndGet();
                  return new MessageHandler() {
                    @Override
                    public void from(String from) {}

                    @Override
                    public void recipient(String r) throws RejectException {
                      try {
                        script.rcpt.accept(r);
                      } catch (RejectException e) {
                        throw e;
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                    }

                    @Override
                    public String data(InputStream in) throws RejectException, java.io.IOException {
                      try {
                        script.data.accept(in);
                      } catch (RejectException | java.io.IOException e) {
                        throw e;
                      } catch (Exception e) {
                        throw new IllegalStateException(e);
                      }
                      return null;
                    }

                    @Override
                    public void done() {}
                  };
                })
            .build();
    server.start();
    try {
      test.accept(server.getPortAllocated());
    } finally {
      server.stop();
    }
  }
}
