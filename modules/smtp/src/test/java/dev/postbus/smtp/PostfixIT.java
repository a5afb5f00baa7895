package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postbus.testkit.PostfixRelay;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interop with a real Postfix smtpd (3.7 here): STARTTLS with host-name verification, AUTH PLAIN
 * and LOGIN through Cyrus sasldb, PIPELINING and CHUNKING on and off, {@code
 * smtpd_forbid_unauth_pipelining} and {@code smtpd_forbid_bare_newline} on. Every delivered file is
 * compared byte for byte with the message Jakarta Mail wrote (after the headers Postfix adds), and
 * Postfix's log must name no protocol mistake.
 */
class PostfixIT {

  @TempDir static Path dir;
  private static PostfixRelay postfix;
  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  @BeforeAll
  static void start() throws Exception {
    String missing = PostfixRelay.missing();
    assumeTrue(missing == null, () -> "PostfixIT skipped: " + missing);
    postfix =
        PostfixRelay.start(
            dir,
            List.of(
                "smtpd_forbid_unauth_pipelining = yes",
                "smtpd_forbid_bare_newline = yes",
                "smtpd_forbid_bare_newline_exclusions ="));
  }

  @AfterAll
  static void stop() throws Exception {
    if (postfix != null) {
      String log = postfix.log();
      postfix.close();
      log.lines()
          .filter(l -> l.contains("warning") || l.contains("error") || l.contains("fatal"))
          .forEach(l -> System.out.println("postfix log: " + l));
      assertThat(log)
          .doesNotContain("improper command pipelining")
          .doesNotContain("bare <LF>")
          .doesNotContain("bare newline");
    }
  }

  private static SmtpConfig.Builder tls(int port) {
    return SmtpConfig.builder("localhost", port, TlsMode.STARTTLS_REQUIRED)
        .trustStore(TrustStore.load(postfix.trustStore, Secret.of("changeit")))
        .readTimeout(Duration.ofSeconds(10))
        .writeTimeout(Duration.ofSeconds(10));
  }

  /**
   * A UTF-8 subject, text whose lines start with "." (one is a lone "."), HTML, and a binary
   * attachment.
   */
  private static MimeMessage richMessage(String id) throws Exception {
    MimeMessage m = new MimeMessage(SESSION);
    m.setFrom(new InternetAddress("shop@example.com", "Läden Größe", "UTF-8"));
    m.setRecipients(Message.RecipientType.TO, "bob@example.net");
    m.setSubject("Grüße " + id + " — ✓", "UTF-8");
    MimeMultipart mixed = new MimeMultipart("mixed");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("Hello " + id + "\n.starts with a dot\n.\n..two dots\nend\n", "UTF-8");
    mixed.addBodyPart(text);
    MimeBodyPart file = new MimeBodyPart();
    byte[] binary = new byte[5000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 7);
    }
    file.setDataHandler(
        new DataHandler(new ByteArrayDataSource(binary, "application/octet-stream")));
    file.setFileName("report.bin");
    mixed.addBodyPart(file);
    m.setContent(mixed);
    m.setHeader("Message-ID", "<" + id + "@postbus.test>");
    m.saveChanges();
    m.setHeader("Message-ID", "<" + id + "@postbus.test>");
    return m;
  }

  /** The message as Postfix stored it (LF line ends), without the headers it added at the top. */
  private static String stored(String id) throws Exception {
    String marker = "<" + id + "@postbus.test>";
    byte[] file =
        Awaitility.await("delivery of " + id)
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    postfix.delivered().stream()
                        .filter(f -> new String(f, StandardCharsets.UTF_8).contains(marker))
                        .findFirst()
                        .orElse(null),
                f -> f != null);
    String s = new String(file, StandardCharsets.UTF_8);
    String[] lines = s.split("\n", -1);
    int i = 0;
    while (i < lines.length
        && (added(lines[i]) || (lines[i].startsWith(" ") || lines[i].startsWith("\t")) && i > 0)) {
      i++; // Postfix's own headers (and their folded lines) come before the first header of ours
    }
    return String.join("\n", java.util.Arrays.copyOfRange(lines, i, lines.length));
  }

  private static boolean added(String line) {
    return Stream.of("Return-Path:", "X-Original-To:", "Delivered-To:", "Received:")
        .anyMatch(line::startsWith);
  }

  private static String written(MimeMessage m) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out, new String[] {"Bcc", "Content-Length"});
    return out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
  }

  @ParameterizedTest(name = "pipelining {0}, chunking {1}: {2}")
  @CsvSource({
    "true, true, pipelined BDAT",
    "true, false, pipelined DATA",
    "false, true, lock-step BDAT",
    "false, false, lock-step DATA"
  })
  void deliversByteForByteOverStartTls(boolean pipelining, boolean chunking, String mode)
      throws Exception {
    RelayOffer offer = new RelayOffer("postfix");
    SmtpConfig config = tls(postfix.port).pipelining(pipelining).chunking(chunking).build();
    try (SmtpConnection c = new SmtpConnection(config, offer, Clock.systemUTC(), "t")) {
      for (int i = 0; i < 3; i++) {
        String id = mode.replace(' ', '-') + "-" + i;
        MimeMessage m = richMessage(id);
        assertThat(c.send(m, Rcpt.of("bob@example.net"))).isInstanceOf(SendOutcome.Delivered.class);
        assertThat(stored(id)).isEqualTo(written(m));
      }
      assertThat(c.opens()).isEqualTo(1);
    }
    assertThat(offer.mode()).isEqualTo(mode);
    assertThat(offer.extensions()).contains("PIPELINING", "CHUNKING", "SIZE 10240000");
  }

  @Test
  void withPipelinedDataTheNextEnvelopeRidesWithTheEndOfEachMessage() throws Exception {
    try (SmtpConnection c =
        new SmtpConnection(tls(postfix.port).chunking(false).build(), Clock.systemUTC(), "t")) {
      Address[] to = Rcpt.of("bob@example.net", "carol@example.net");
      MimeMessage[] messages = new MimeMessage[4];
      for (int i = 0; i < messages.length; i++) {
        messages[i] = richMessage("ahead-" + i);
      }
      for (int i = 0; i < messages.length; i++) {
        Envelope next =
            i + 1 < messages.length ? SmtpConnection.envelopeOf(messages[i + 1], to) : null;
        assertThat(c.send(messages[i], to, next)).isInstanceOf(SendOutcome.Delivered.class);
      }
      for (int i = 0; i < messages.length; i++) {
        assertThat(stored("ahead-" + i)).isEqualTo(written(messages[i]));
      }
      assertThat(c.opens()).isEqualTo(1);
    }
  }

  @Test
  void anUnknownRecipientInTheMiddleOfAGroupIsRefusedAndTheOthersReceiveTheMessage()
      throws Exception {
    try (SmtpConnection c = new SmtpConnection(tls(postfix.port).build(), Clock.systemUTC(), "t")) {
      MimeMessage m = richMessage("partial");
      SendOutcome o =
          c.send(m, Rcpt.of("bob@example.net", "unknown@example.net", "carol@example.net"));
      assertThat(o)
          .isInstanceOfSatisfying(
              SendOutcome.RecipientsRefused.class,
              r -> {
                assertThat(r.accepted()).isEqualTo(2);
                assertThat(r.refused())
                    .singleElement()
                    .satisfies(f -> assertThat(f.reply().codes()).isEqualTo("550 5.1.1"));
              });
      assertThat(stored("partial")).isEqualTo(written(m));
      // The session stays in step: the next message on the same connection goes through.
      assertThat(c.send(richMessage("after-partial"), Rcpt.of("bob@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(1);
    }
  }

  @Test
  void onlyUnknownRecipientsSendNothingAndTheConnectionGoesOn() throws Exception {
    for (boolean chunking : new boolean[] {true, false}) {
      try (SmtpConnection c =
          new SmtpConnection(
              tls(postfix.port).chunking(chunking).build(), Clock.systemUTC(), "t")) {
        assertThat(c.send(richMessage("nobody-" + chunking), Rcpt.of("unknown@example.net")))
            .isInstanceOfSatisfying(
                SendOutcome.RecipientsRefused.class, r -> assertThat(r.dataReply()).isNull());
        assertThat(c.send(richMessage("somebody-" + chunking), Rcpt.of("bob@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
        stored("somebody-" + chunking);
      }
    }
    assertThat(postfix.delivered())
        .noneMatch(f -> new String(f, StandardCharsets.UTF_8).contains("<nobody-"));
  }

  @Test
  void authenticatesWithSaslPlainAfterStartTls() throws Exception {
    // Postfix offers AUTH only after STARTTLS on this port (smtpd_tls_auth_only); LOGIN is in
    // PipeliningIT.
    String mechanism = "PLAIN";
    SmtpConfig config =
        tls(postfix.authPort)
            .credentials(PostfixRelay.USER, Secret.of(PostfixRelay.PASSWORD))
            .build();
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
      String id = "auth-" + mechanism;
      assertThat(c.send(richMessage(id), Rcpt.of("bob@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      stored(id);
    }
  }

  @Test
  void aWrongPasswordIsRefusedAsARelayProblem() throws Exception {
    SmtpConfig config =
        tls(postfix.authPort).credentials(PostfixRelay.USER, Secret.of("wrong")).build();
    try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
      assertThat(c.send(richMessage("wrong-password"), Rcpt.of("bob@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.RelayRefused.class, r -> assertThat(r.reply().code()).isEqualTo(535));
    }
  }

  @Test
  void withoutAuthTheAuthPortRefusesTheRecipient() throws Exception {
    try (SmtpConnection c =
        new SmtpConnection(tls(postfix.authPort).build(), Clock.systemUTC(), "t")) {
      assertThat(c.send(richMessage("no-auth"), Rcpt.of("bob@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.RecipientsRefused.class,
              r -> assertThat(r.refused().get(0).reply().code()).isEqualTo(554));
    }
  }

  /**
   * Issue 20, defect 2: a Postfix that offers AUTH but no STARTTLS (as a path attacker stripping
   * STARTTLS makes it look), smtp.tls=starttls and credentials. No AUTH command reaches it (its
   * disconnect line counts every command, and names no auth), and the relay is refused with a line
   * that says why: the jobs wait (a FATAL verdict pauses delivery), nothing is dead-lettered.
   */
  @Test
  void withoutStartTlsTheCredentialsAreNeverSentAndTheJobsWait(@TempDir Path plainDir)
      throws Exception {
    try (PostfixRelay plain =
        PostfixRelay.start(
            plainDir,
            List.of(
                "smtpd_tls_security_level = none",
                "smtpd_sasl_auth_enable = yes",
                "smtpd_tls_auth_only = no"))) {
      SmtpConfig config =
          SmtpConfig.builder("localhost", plain.port, TlsMode.STARTTLS)
              .credentials(PostfixRelay.USER, Secret.of(PostfixRelay.PASSWORD))
              .readTimeout(Duration.ofSeconds(10))
              .build();
      RelayOffer offer = new RelayOffer("postfix-plain");
      SendOutcome o;
      try (SmtpConnection c = new SmtpConnection(config, offer, Clock.systemUTC(), "t")) {
        o = c.send(richMessage("never-auth"), Rcpt.of("bob@example.net"));
      }
      assertThat(o)
          .isInstanceOfSatisfying(
              SendOutcome.RelayRefused.class,
              r ->
                  assertThat(r.problem())
                      .contains("credentials are not sent over an unencrypted session")
                      .contains("does not offer STARTTLS"));
      assertThat(ReplyClassifier.defaults().classify(o).outcomeClass())
          .isEqualTo(OutcomeClass.FATAL);
      String disconnect =
          Awaitility.await("postfix logs the session's end")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      plain
                          .log()
                          .lines()
                          .filter(l -> l.contains("disconnect from") && l.contains("ehlo="))
                          .findFirst()
                          .orElse(null),
                  l -> l != null);
      // e.g. "disconnect from localhost[127.0.0.1] ehlo=1 quit=1 commands=2"
      assertThat(disconnect).doesNotContain("auth").doesNotContain("mail=");
      assertThat(plain.log()).doesNotContain("sasl_username").doesNotContain("AUTH");
    }
  }
}
