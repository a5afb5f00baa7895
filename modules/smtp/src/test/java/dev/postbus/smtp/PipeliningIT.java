package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The session's protocol against a scripted server: pipelined groups read back by count, CHUNKING,
 * lock-step when nothing is offered, refusals in the middle of a group, the lone "." after a 354
 * with no recipient, RSET riding at the head of the next group, and the connection cut at every
 * step, each classified as lost (before the end of the message) or in doubt (after it).
 */
class PipeliningIT {

  private static final List<String> PIPELINING = List.of("PIPELINING", "8BITMIME", "SIZE 1000000");
  private static final List<String> PIPELINING_CHUNKING =
      List.of("PIPELINING", "CHUNKING", "8BITMIME", "SIZE 1000000");
  private static final Session SESSION = Session.getInstance(new java.util.Properties());

  private static SmtpConfig config(int port) {
    return SmtpConfig.builder("127.0.0.1", port, TlsMode.NONE)
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(2))
        .writeTimeout(Duration.ofSeconds(2))
        .build();
  }

  private static MimeMessage message(String text) throws Exception {
    MimeMessage m = new MimeMessage(SESSION);
    m.setFrom("sender@example.com");
    m.setRecipients(Message.RecipientType.TO, "a@example.net");
    m.setSubject("pipelined");
    m.setText(text);
    m.saveChanges();
    return m;
  }

  private static ScriptedServer server(List<String> extensions, Function<String, String> script)
      throws Exception {
    return new ScriptedServer(extensions, extensions.contains("PIPELINING"), script);
  }

  private static List<String> verbs(ScriptedServer s) {
    return s.commands.stream().map(c -> c.split("[ :]")[0]).toList();
  }

  @Test
  void theEnvelopeGoesOutAsOneGroupWhenPipeliningIsOffered() throws Exception {
    // The server holds every reply until DATA: a client that waited for the MAIL reply would time
    // out.
    try (ScriptedServer s = server(PIPELINING, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      SendOutcome o =
          c.send(message("hello"), Rcpt.of("a@example.net", "b@example.net", "c@example.net"));
      assertThat(o).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(verbs(s)).containsExactly("EHLO", "MAIL", "RCPT", "RCPT", "RCPT", "DATA");
      assertThat(s.commands.get(1)).startsWith("MAIL FROM:<sender@example.com> SIZE=");
    }
  }

  @Test
  void withChunkingTheWholeMessageIsOneWriteAndNothingIsDotStuffed() throws Exception {
    try (ScriptedServer s = server(PIPELINING_CHUNKING, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      SendOutcome o =
          c.send(message("line one\n.starts with a dot\nlast"), Rcpt.of("a@example.net"));
      assertThat(o).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(verbs(s)).containsExactly("EHLO", "MAIL", "RCPT", "BDAT");
      assertThat(s.commands.get(3)).endsWith(" LAST");
      String body = new String(s.messages.get(0), StandardCharsets.UTF_8);
      assertThat(body).contains("\r\n.starts with a dot\r\n").doesNotContain("..starts");
      assertOnlyCrlf(s.messages.get(0));
    }
  }

  @Test
  void dataIsDotStuffedAndEveryLineEndIsCrlf() throws Exception {
    try (ScriptedServer s = server(PIPELINING, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message(".first\nbare lf\rbare cr\n.\n..two"), Rcpt.of("a@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      String body = new String(s.messages.get(0), StandardCharsets.UTF_8);
      assertThat(body).contains("\r\n..first\r\nbare lf\r\nbare cr\r\n..\r\n...two\r\n");
      assertOnlyCrlf(s.messages.get(0));
    }
  }

  @Test
  void chunkingOffDoesNotUseBdat() throws Exception {
    try (ScriptedServer s = server(PIPELINING_CHUNKING, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(
                config(s.port()).toBuilder().chunking(false).build(), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(verbs(s)).containsExactly("EHLO", "MAIL", "RCPT", "DATA");
    }
  }

  @Test
  void aServerThatOffersNothingGetsOneCommandAtATime() throws Exception {
    try (ScriptedServer s = server(List.of(), ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      for (int i = 0; i < 3; i++) {
        assertThat(c.send(message("m" + i), Rcpt.of("a@example.net", "b@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
      assertThat(s.violations).isEmpty();
      assertThat(s.commands.get(1))
          .isEqualTo("MAIL FROM:<sender@example.com>"); // no SIZE when not offered
    }
  }

  @Test
  void pipeliningOffIsLockStepEvenWhenOffered() throws Exception {
    try (ScriptedServer s = new ScriptedServer(List.of("PIPELINING"), false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(
                config(s.port()).toBuilder().pipelining(false).build(), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.send(message("y"), Rcpt.of("a@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
    }
  }

  @Test
  void heloWhenEhloIsNotUnderstood() throws Exception {
    try (ScriptedServer s =
            server(
                List.of(),
                cmd -> cmd.startsWith("EHLO") ? "502 5.5.1 what?" : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(verbs(s)).startsWith("EHLO", "HELO", "MAIL");
    }
  }

  @Test
  void aRecipientRefusedInTheMiddleOfAGroupIsReportedAndTheOthersGetTheMessage() throws Exception {
    try (ScriptedServer s =
            server(
                PIPELINING_CHUNKING,
                cmd -> cmd.contains("<bad@") ? "550 5.1.1 no such user" : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      SendOutcome o =
          c.send(message("x"), Rcpt.of("a@example.net", "bad@example.net", "c@example.net"));
      assertThat(o)
          .isInstanceOfSatisfying(
              SendOutcome.RecipientsRefused.class,
              r -> {
                assertThat(r.accepted()).isEqualTo(2);
                assertThat(r.refused())
                    .singleElement()
                    .satisfies(
                        f -> {
                          assertThat(f.address()).isEqualTo("bad@example.net");
                          assertThat(f.reply().codes()).isEqualTo("550 5.1.1");
                        });
                assertThat(r.dataReply().code()).isEqualTo(250);
              });
    }
  }

  @Test
  void aGoAheadWithNoAcceptedRecipientGetsALoneDotAndTheNextGroupStartsWithRset() throws Exception {
    try (ScriptedServer s =
            server(
                PIPELINING,
                cmd ->
                    cmd.startsWith("RCPT") && cmd.contains("<bad")
                        ? "550 5.1.1 no"
                        : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      SendOutcome o = c.send(message("x"), Rcpt.of("bad1@example.net", "bad2@example.net"));
      assertThat(o)
          .isInstanceOfSatisfying(
              SendOutcome.RecipientsRefused.class,
              r -> {
                assertThat(r.accepted()).isZero();
                assertThat(r.dataReply()).isNull();
                assertThat(r.refused()).hasSize(2);
              });
      assertThat(s.messages)
          .singleElement()
          .satisfies(m -> assertThat(m).isEmpty()); // the lone "."
      assertThat(c.send(message("y"), Rcpt.of("good@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(verbs(s))
          .containsExactly("EHLO", "MAIL", "RCPT", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA");
      assertThat(c.opens()).isEqualTo(1);
    }
  }

  @Test
  void aRefusedDataIsRejectedAndReset() throws Exception {
    try (ScriptedServer s =
            server(
                PIPELINING,
                cmd -> cmd.equals("DATA") ? "554 5.7.1 not from you" : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.Rejected.class,
              r -> {
                assertThat(r.command()).isEqualTo("DATA");
                assertThat(r.reply().codes()).isEqualTo("554 5.7.1");
              });
      c.send(message("y"), Rcpt.of("a@example.net"));
      assertThat(verbs(s)).containsSubsequence("DATA", "RSET", "MAIL");
    }
  }

  @Test
  void aRefusedMailIsRejectedWithItsReply() throws Exception {
    try (ScriptedServer s =
            server(
                PIPELINING_CHUNKING,
                cmd ->
                    cmd.startsWith("MAIL")
                        ? "451 4.3.0 try later"
                        : cmd.startsWith("RCPT") || cmd.startsWith("BDAT")
                            ? "503 5.5.1 no MAIL"
                            : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.Rejected.class,
              r -> {
                assertThat(r.command()).isEqualTo("MAIL");
                assertThat(r.reply().codes()).isEqualTo("451 4.3.0");
              });
    }
  }

  @Test
  void aMessageOverTheServersSizeLimitIsNotSent() throws Exception {
    try (ScriptedServer s = server(List.of("PIPELINING", "SIZE 100"), ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x".repeat(500)), Rcpt.of("a@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.Rejected.class,
              r -> assertThat(r.reply().codes()).isEqualTo("552 5.3.4"));
      assertThat(verbs(s)).doesNotContain("MAIL");
    }
  }

  @Test
  void a421EndsTheSessionAndTheNextMessageReconnects() throws Exception {
    try (ScriptedServer s =
            server(
                PIPELINING,
                cmd ->
                    cmd.startsWith("RCPT") && cmd.contains("<slow")
                        ? "421 4.7.0 too fast, closing"
                        : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(message("x"), Rcpt.of("slow@example.net")))
          .isInstanceOf(SendOutcome.RecipientsRefused.class);
      assertThat(c.send(message("y"), Rcpt.of("a@example.net")))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0} offered, cut at {1}: {2}")
  @CsvSource({
    "PIPELINING, MAIL, ConnectionLost",
    "PIPELINING, RCPT, ConnectionLost",
    "PIPELINING, DATA, ConnectionLost",
    "PIPELINING, ., InDoubt",
    "NONE, MAIL, ConnectionLost",
    "NONE, RCPT, ConnectionLost",
    "NONE, DATA, ConnectionLost",
    "NONE, ., InDoubt",
    "PIPELINING CHUNKING, MAIL, InDoubt",
    "PIPELINING CHUNKING, BDAT, InDoubt",
    "CHUNKING, MAIL, ConnectionLost",
    "CHUNKING, RCPT, ConnectionLost",
    "CHUNKING, BDAT, InDoubt"
  })
  void aConnectionCutAtEachStepIsLostBeforeTheEndOfTheMessageAndInDoubtAfter(
      String offered, String step, String expected) throws Exception {
    List<String> extensions = offered.equals("NONE") ? List.of() : List.of(offered.split(" "));
    try (ScriptedServer s =
            server(
                extensions,
                cmd -> cmd.startsWith(step) ? ScriptedServer.DROP : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      SendOutcome o = c.send(message("x"), Rcpt.of("a@example.net"));
      assertThat(o.getClass().getSimpleName()).isEqualTo(expected);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);
    }
  }

  @Test
  void theNextEnvelopeRidesInTheSameWriteAsTheEndOfTheMessage() throws Exception {
    // The server answers only at the end of a group: each message waits one round trip, not two.
    try (ScriptedServer s = server(PIPELINING, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      Address[] to = Rcpt.of("a@example.net", "b@example.net");
      MimeMessage first = message("first");
      MimeMessage second = message("second");
      assertThat(c.send(first, to, SmtpConnection.envelopeOf(second, to)))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.send(second, to, null)).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(verbs(s))
          .containsExactly("EHLO", "MAIL", "RCPT", "RCPT", "DATA", "MAIL", "RCPT", "RCPT", "DATA");
      assertThat(s.commands.get(5)).isEqualTo("MAIL FROM:<sender@example.com> BODY=8BITMIME");
      assertThat(s.bufferedAfterDot.get(0))
          .as("the next MAIL arrived with the first message's end")
          .isPositive();
      assertThat(s.messages).hasSize(2);
      assertThat(s.connections).isEqualTo(1);
    }
  }

  @Test
  void anotherMessageThanTheOneAnnouncedGoesOnANewConnectionAndNothingEmptyIsDelivered()
      throws Exception {
    try (ScriptedServer s = server(PIPELINING, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      MimeMessage first = message("first");
      assertThat(
              c.send(
                  first,
                  Rcpt.of("a@example.net"),
                  SmtpConnection.envelopeOf(first, Rcpt.of("other@example.net"))))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.send(message("second"), Rcpt.of("a@example.net"), null))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
      Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> s.connections == 2);
      assertThat(s.messages).hasSize(2).noneMatch(m -> m.length == 0);
    }
  }

  @Test
  void closingWithAnEnvelopeAheadCutsTheConnectionInsteadOfSendingAnEmptyMessage()
      throws Exception {
    try (ScriptedServer s = server(PIPELINING, ScriptedServer::ok)) {
      try (SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
        MimeMessage first = message("first");
        assertThat(
                c.send(
                    first,
                    Rcpt.of("a@example.net"),
                    SmtpConnection.envelopeOf(first, Rcpt.of("a@example.net"))))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
      Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> s.commands.size() >= 7);
      assertThat(s.messages).hasSize(1);
      assertThat(verbs(s)).doesNotContain("QUIT");
    }
  }

  @Test
  void aConnectionCutAfterTheEndWithTheNextEnvelopeIsInDoubtAndTheNextMessageReconnects()
      throws Exception {
    java.util.concurrent.atomic.AtomicInteger dots =
        new java.util.concurrent.atomic.AtomicInteger();
    try (ScriptedServer s =
            server(
                PIPELINING,
                cmd ->
                    cmd.equals(".") && dots.incrementAndGet() == 1
                        ? ScriptedServer.DROP
                        : ScriptedServer.ok(cmd));
        SmtpConnection c = new SmtpConnection(config(s.port()), Clock.systemUTC(), "t")) {
      MimeMessage first = message("first");
      Address[] to = Rcpt.of("a@example.net");
      assertThat(c.send(first, to, SmtpConnection.envelopeOf(first, to)))
          .isInstanceOf(SendOutcome.InDoubt.class);
      assertThat(c.send(first, to, null)).isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"DATA", "BDAT"})
  void aWriteThatStallsIsCutAfterTheWriteTimeoutAndTheMessageIsLostNotInDoubt(String mode)
      throws Exception {
    // The server takes the envelope, then stops reading: the client's write fills the socket
    // buffers and blocks.
    try (java.net.ServerSocket server =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(() -> stallAfterEnvelope(server, mode.equals("BDAT")), "stalling-server");
      t.setDaemon(true);
      t.start();
      // The server would hold the connection for a minute and the read timeout is as long: only the
      // write
      // timeout's watchdog, closing the socket under the stalled write ("Socket closed"), ends this
      // early.
      SmtpConfig config =
          config(server.getLocalPort()).toBuilder()
              .writeTimeout(Duration.ofMillis(500))
              .readTimeout(Duration.ofSeconds(60))
              .build();
      try (SmtpConnection c = new SmtpConnection(config, Clock.systemUTC(), "t")) {
        SendOutcome o = c.send(message("x".repeat(40 * 1024 * 1024)), Rcpt.of("a@example.net"));
        assertThat(o)
            .isInstanceOfSatisfying(
                SendOutcome.ConnectionLost.class,
                l ->
                    assertThat(l.problem())
                        .contains("before the end of data")
                        .contains("Socket closed"));
      }
    }
  }

  /**
   * Lock-step (no PIPELINING offered): answers up to DATA (or BDAT's command line), then never
   * reads again.
   */
  private static void stallAfterEnvelope(java.net.ServerSocket server, boolean chunking) {
    try (java.net.Socket s = server.accept()) {
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      var out = s.getOutputStream();
      out.write("220 stall\r\n".getBytes(StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("EHLO")) {
          out.write(
              (chunking ? "250-stall\r\n250 CHUNKING\r\n" : "250 stall\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
        } else if (line.startsWith("DATA")) {
          out.write("354 go\r\n".getBytes(StandardCharsets.US_ASCII));
          break;
        } else if (line.startsWith("BDAT")) {
          break;
        } else {
          out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
        }
      }
      Thread.sleep(60_000); // holds the connection open, reading nothing
    } catch (java.io.IOException | InterruptedException e) {
      // the client cut it
    }
  }

  @Test
  void authLoginWhenPlainIsNotOffered() throws Exception {
    java.util.concurrent.atomic.AtomicInteger step =
        new java.util.concurrent.atomic.AtomicInteger();
    String user =
        java.util.Base64.getEncoder()
            .encodeToString("u@example.com".getBytes(StandardCharsets.UTF_8));
    String pass =
        java.util.Base64.getEncoder().encodeToString("pässword".getBytes(StandardCharsets.UTF_8));
    try (ScriptedServer s =
        server(
            List.of("PIPELINING", "AUTH LOGIN"),
            cmd -> {
              if (cmd.equals("AUTH LOGIN")) {
                step.set(1);
                return "334 VXNlcm5hbWU6";
              }
              if (step.get() == 1) {
                step.set(cmd.equals(user) ? 2 : 9);
                return "334 UGFzc3dvcmQ6";
              }
              if (step.get() == 2 || step.get() == 9) {
                boolean ok = step.get() == 2 && cmd.equals(pass);
                step.set(0);
                return ok ? "235 2.7.0 ok" : "535 5.7.8 bad credentials";
              }
              return ScriptedServer.ok(cmd);
            })) {
      SmtpConfig good =
          config(s.port()).toBuilder()
              .credentials("u@example.com", Secret.of("pässword"))
              .authOverPlaintext(true)
              .build();
      try (SmtpConnection c = new SmtpConnection(good, Clock.systemUTC(), "t")) {
        assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
            .isInstanceOf(SendOutcome.Delivered.class);
      }
      SmtpConfig bad =
          config(s.port()).toBuilder()
              .credentials("u@example.com", Secret.of("wrong"))
              .authOverPlaintext(true)
              .build();
      try (SmtpConnection c = new SmtpConnection(bad, Clock.systemUTC(), "t")) {
        assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
            .isInstanceOfSatisfying(
                SendOutcome.RelayRefused.class,
                r -> assertThat(r.reply().codes()).isEqualTo("535 5.7.8"));
      }
    }
  }

  @Test
  void credentialsForARelayThatOffersNoAuthAreARelayProblemNotASilentSkip() throws Exception {
    try (ScriptedServer s = server(List.of("PIPELINING"), ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(
                config(s.port()).toBuilder()
                    .credentials("u", Secret.of("p"))
                    .authOverPlaintext(true)
                    .build(),
                Clock.systemUTC(),
                "t")) {
      assertThat(c.send(message("x"), Rcpt.of("a@example.net")))
          .isInstanceOfSatisfying(
              SendOutcome.RelayRefused.class,
              r -> assertThat(r.problem()).contains("does not offer AUTH PLAIN or LOGIN"));
    }
  }

  @Test
  void bytesAfterTheStartTlsReplyAreRefused() throws Exception {
    // A man in the middle injecting a reply that the client would take as sent over TLS (Postfix's
    // CVE-2011-0411 check).
    try (ScriptedServer s =
        server(
            List.of("STARTTLS", "PIPELINING"),
            cmd ->
                cmd.equals("STARTTLS") ? "220 go ahead\r\n250 injected" : ScriptedServer.ok(cmd))) {
      SmtpConfig tls =
          SmtpConfig.builder("127.0.0.1", s.port(), TlsMode.STARTTLS_REQUIRED)
              .readTimeout(Duration.ofSeconds(2))
              .build();
      try (SmtpConnection t = new SmtpConnection(tls, Clock.systemUTC(), "t")) {
        assertThat(t.send(message("x"), Rcpt.of("a@example.net")))
            .isInstanceOfSatisfying(
                SendOutcome.RelayRefused.class,
                r -> assertThat(r.problem()).contains("after its STARTTLS reply"));
      }
    }
  }

  private static void assertOnlyCrlf(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        assertThat(i > 0 && bytes[i - 1] == '\r').as("LF at %d preceded by CR", i).isTrue();
      }
      if (bytes[i] == '\r') {
        assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n')
            .as("CR at %d followed by LF", i)
            .isTrue();
      }
    }
  }
}
