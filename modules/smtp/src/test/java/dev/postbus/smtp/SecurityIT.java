package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * TLS and authentication against real SMTP servers: a relay with a self-signed certificate (made
 * with keytool), and a relay that takes AUTH XOAUTH2 bearer tokens.
 */
class SecurityIT {

  @TempDir Path dir;

  private static MimeMessage message(SmtpConfig config) throws Exception {
    Session session = SmtpConnection.sessionFor(config);
    MimeMessage m = new MimeMessage(session);
    m.setFrom("a@example.com");
    m.setRecipients(jakarta.mail.Message.RecipientType.TO, "b@example.com");
    m.setSubject("s");
    m.setText("hello");
    return m;
  }

  private static final Address[] TO = to();

  private static Address[] to() {
    try {
      return new Address[] {new InternetAddress("b@example.com")};
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static SendOutcome send(SmtpConfig config) throws Exception {
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
      return c.send(message(config), TO);
    }
  }

  private static SmtpConfig relay(String host, int port, TlsMode tls) {
    return SmtpConfig.of(host, port, tls).toBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(5))
        .writeTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static SMTPServer.Builder server(AtomicInteger accepted) {
    return SMTPServer.port(0)
        .bindAddress(InetAddress.getLoopbackAddress())
        .messageHandlerFactory(
            (MessageContext ctx) ->
                new MessageHandler() {
                  @Override
                  public void from(String from) {}

                  @Override
                  public void recipient(String r) {}

                  @Override
                  public String data(InputStream in) throws java.io.IOException {
                    in.readAllBytes();
                    accepted.incrementAndGet();
                    return null;
                  }

                  @Override
                  public void done() {}
                });
  }

  @Test
  void aSelfSignedRelayIsRefusedClearlyUnlessItsCertificateIsTrustedAndItsNameMatches()
      throws Exception {
    Certificates certs = Certificates.selfSigned(dir, "localhost");
    SSLContext serverTls = certs.serverContext();
    AtomicInteger accepted = new AtomicInteger();
    SMTPServer server =
        server(accepted).enableTLS().requireTLS().startTlsSocketFactory(serverTls).build();
    server.start();
    try {
      int port = server.getPortAllocated();

      SendOutcome untrusted = send(relay("localhost", port, TlsMode.STARTTLS_REQUIRED));
      assertThat(untrusted).isInstanceOf(SendOutcome.RelayRefused.class);
      assertThat(((SendOutcome.RelayRefused) untrusted).problem())
          .startsWith("TLS failed")
          .containsIgnoringCase("certification path");

      TrustStore trust = TrustStore.load(certs.trustStore, Secret.of(Certificates.PASSWORD));
      assertThat(
              send(
                  relay("localhost", port, TlsMode.STARTTLS_REQUIRED).toBuilder()
                      .trustStore(trust)
                      .build()))
          .isInstanceOf(SendOutcome.Delivered.class);

      // Trusted certificate, wrong name: the certificate is for localhost, the connection is to
      // 127.0.0.1.
      SendOutcome wrongName =
          send(
              relay("127.0.0.1", port, TlsMode.STARTTLS_REQUIRED).toBuilder()
                  .trustStore(trust)
                  .build());
      assertThat(wrongName).isInstanceOf(SendOutcome.RelayRefused.class);
      assertThat(((SendOutcome.RelayRefused) wrongName).problem())
          .startsWith("TLS failed")
          .contains("127.0.0.1");

      assertThat(accepted).hasValue(1);
    } finally {
      server.stop();
    }
  }

  @Test
  void xoauth2ReadsTheTokenFileAgainForEveryConnection() throws Exception {
    AtomicReference<String> validToken = new AtomicReference<>("token-one");
    AtomicInteger accepted = new AtomicInteger();
    SMTPServer server =
        server(accepted)
            .authenticationHandlerFactory(new Xoauth2(validToken))
            .requireAuth()
            .build();
    server.start();
    try {
      Path tokenFile = Files.writeString(dir.resolve("token"), "token-one\n");
      SmtpConfig config =
          relay("127.0.0.1", server.getPortAllocated(), TlsMode.NONE).toBuilder()
              .credentials("sender@example.com", Secret.fromFile(tokenFile))
              .authMechanism(AuthMechanism.XOAUTH2)
              .authOverPlaintext(true)
              .build()
              .toBuilder()
              .maxMessagesPerConnection(1)
              .maxConnectionAge(Duration.ofMinutes(10))
              .idleTimeout(Duration.ofMinutes(1))
              .build(); // one message per connection
      assertThat(config.toString()).doesNotContain("token-one");

      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "lane-0")) {
        assertThat(c.send(message(config), TO)).isInstanceOf(SendOutcome.Delivered.class);

        // The token is rotated: the relay wants the new one, and the file holds it.
        validToken.set("token-two");
        Files.writeString(tokenFile, "token-two\n");
        assertThat(c.send(message(config), TO)).isInstanceOf(SendOutcome.Delivered.class);

        // The relay moves on; the file does not: a relay-level refusal, not a failure of the
        // message.
        validToken.set("token-three");
        SendOutcome stale = c.send(message(config), TO);
        assertThat(stale).isInstanceOf(SendOutcome.RelayRefused.class);
        assertThat(((SendOutcome.RelayRefused) stale).problem()).isEqualTo("authentication failed");
        assertThat(c.opens()).isEqualTo(2);
      }
      assertThat(accepted).hasValue(2);
    } finally {
      server.stop();
    }
  }

  /** AUTH XOAUTH2 as Gmail and Microsoft 365 take it: base64 of "user=U^Aauth=Bearer T^A^A". */
  private static final class Xoauth2 implements AuthenticationHandlerFactory {
    private final AtomicReference<String> validToken;

    Xoauth2(AtomicReference<String> validToken) {
      this.validToken = validToken;
    }

    @Override
    public List<String> getAuthenticationMechanisms() {
      return List.of("XOAUTH2");
    }

    @Override
    public AuthenticationHandler create() {
      return new AuthenticationHandler() {
        private String user;

        @Override
        public Optional<String> auth(String clientInput, MessageContext context)
            throws RejectException {
          String[] parts = clientInput.trim().split(" ");
          String response = parts.length >= 3 ? parts[2] : parts[parts.length - 1];
          String decoded = new String(Base64.getDecoder().decode(response), StandardCharsets.UTF_8);
          String token = null;
          for (String field : decoded.split("\u0001")) {
            if (field.startsWith("user=")) {
              user = field.substring(5);
            } else if (field.startsWith("auth=Bearer ")) {
              token = field.substring("auth=Bearer ".length());
            }
          }
          if (!validToken.get().equals(token)) {
            throw new RejectException(535, "5.7.8 Username and Password not accepted");
          }
          return Optional.empty();
        }

        @Override
        public Object getIdentity() {
          return user;
        }
      };
    }
  }
}
