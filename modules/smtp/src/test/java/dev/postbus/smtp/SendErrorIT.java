package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.postbus.smtp.internal.SessionOpener;
import dev.postbus.testkit.LogLines;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An unexpected error of ours while a message is sent (a bug, not the relay's answer) ends that
 * send as the relay's end would have: lost (retried on a fresh connection) while the final "." was
 * not written, in doubt once it was. It used to escape the send, and the worker took every such job
 * as in doubt. The connection is disconnected either way. The ledger gate's errors (the final dot
 * withheld) and Errors still pass through. An error while the message is written into memory sends
 * nothing: the message is unwritable, the connection kept. One in the connection's bookkeeping
 * after the relay's result leaves that result, the connection dropped. None is logged with its
 * message.
 */
class SendErrorIT {

  private static final Address[] TO = ScriptedSends.someone();
  private static final List<String> PIPELINING = List.of("PIPELINING");
  private static final List<String> PIPELINING_8BIT = List.of("PIPELINING", "8BITMIME");

  /** What a message that cannot be written into memory comes to: permanent, nothing sent. */
  private static final SendOutcome UNWRITABLE =
      new SendOutcome.Unwritable("the message could not be written: IllegalStateException");

  /** An error of ours inside the session (a bug in encoding, say). */
  private static RuntimeException bug() {
    return new IllegalStateException("a bug of ours");
  }

  /** "PIPELINING CHUNKING": the EHLO keywords the relay offers. */
  private static List<String> extensions(String ext) {
    return ext.isEmpty() ? List.of() : List.of(ext.split(" "));
  }

  /** The usual answers, the end of a message's (after DATA's "." or BDAT) saying "queued". */
  private static String queued(String command) {
    return command.startsWith("BDAT") ? "250 2.0.0 queued" : ScriptedServer.ok(command);
  }

  /** The bytes whose write the failure goes with: the DATA command, the final dot, BDAT. */
  private static String marker(String on) {
    return switch (on) {
      case "DATA" -> "DATA\r\n";
      case "END" -> "\r\n.\r\n";
      case "BDAT" -> "BDAT ";
      default -> throw new IllegalArgumentException(on);
    };
  }

  @ParameterizedTest(name = "{0}, failing on the write of {1}")
  @CsvSource({
    "PIPELINING, DATA",
    "PIPELINING, END",
    "'', DATA",
    "'', END",
    "PIPELINING CHUNKING, BDAT",
    "CHUNKING, BDAT"
  })
  void anErrorBeforeTheFinalDotIsWrittenLosesTheMessageAndTheNextSendOpensAfresh(
      String ext, String on) throws Exception {
    try (ScriptedServer s = new ScriptedServer(extensions(ext), false, ScriptedServer::ok);
        SmtpConnection c = failingOnce(s, new FailingSocket(marker(on), false, bug()))) {
      assertThat(c.send(ScriptedSends.message("one"), TO))
          .isInstanceOfSatisfying(
              SendOutcome.ConnectionLost.class,
              l -> assertThat(l.problem()).contains("unexpected error (IllegalStateException)"));
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
      assertThat(s.messages).hasSize(1);
    }
  }

  @ParameterizedTest(name = "{0}, failing on the read after {1}")
  @CsvSource({"PIPELINING, END", "'', END", "PIPELINING CHUNKING, BDAT", "CHUNKING, BDAT"})
  void anErrorOnceTheFinalDotIsWrittenLeavesTheMessageInDoubt(String ext, String on)
      throws Exception {
    try (ScriptedServer s = new ScriptedServer(extensions(ext), false, SendErrorIT::queued);
        SmtpConnection c =
            failingOnce(s, new FailingSocket(marker(on), true, bug()).afterReading("queued"))) {
      assertThat(c.send(ScriptedSends.message("one"), TO))
          .isInstanceOfSatisfying(
              SendOutcome.InDoubt.class,
              d -> assertThat(d.problem()).contains("unexpected error (IllegalStateException)"));
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
      // the relay answered the end (its reply read off the socket, never parsed): it has the
      // message
      assertThat(s.messages).hasSize(2);
      assertThat(new String(s.messages.get(0), StandardCharsets.UTF_8)).contains("one");
    }
  }

  @Test
  void anErrorOfTheSessionAfterTheGateAndBeforeTheFinalDotIsWrittenLosesTheMessage()
      throws Exception {
    AtomicInteger gates = new AtomicInteger();
    try (ScriptedServer s = new ScriptedServer(PIPELINING_8BIT, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(ScriptedSends.config(s.port()), Clock.systemUTC(), "t")) {
      c.beforeFinalDot(gates::incrementAndGet);
      // the next envelope, written ahead after the message's end, holds a null recipient: the
      // session's own code throws (a bug of ours, not the socket) once the gate returned
      Envelope broken = new Envelope("c@example.com", new String[] {null});
      assertThat(c.send(ScriptedSends.message("one"), TO, broken))
          .isInstanceOfSatisfying(
              SendOutcome.ConnectionLost.class,
              l -> assertThat(l.problem()).contains("unexpected error (NullPointerException)"));
      assertThat(gates).hasValue(1);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(s.messages).hasSize(1);
      assertThat(new String(s.messages.get(0), StandardCharsets.UTF_8)).contains("two");
    }
  }

  @Test
  void anErrorWritingTheMessageIntoMemoryMakesItUnwritableAndKeepsTheConnection() throws Exception {
    try (ScriptedServer s = new ScriptedServer(PIPELINING, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(ScriptedSends.config(s.port()), Clock.systemUTC(), "t")) {
      assertThat(c.send(unencodable(), TO)).isEqualTo(UNWRITABLE);
      assertThat(c.state()).isEqualTo(ConnectionState.IDLE);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(1);
      assertThat(s.connections).isEqualTo(1);
      assertThat(s.messages).hasSize(1);
    }
  }

  @Test
  void anErrorWritingAMessageWhoseEnvelopeWentAheadDropsTheConnection() throws Exception {
    try (ScriptedServer s = new ScriptedServer(PIPELINING_8BIT, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(ScriptedSends.config(s.port()), Clock.systemUTC(), "t")) {
      MimeMessage broken = unencodable();
      assertThat(c.send(ScriptedSends.message("one"), TO, SmtpConnection.envelopeOf(broken, TO)))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.hasAhead()).isTrue();

      assertThat(c.send(broken, TO)).isEqualTo(UNWRITABLE);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
      assertThat(s.messages).hasSize(2);
    }
  }

  @Test
  void anUnexpectedErrorIsLoggedWithoutItsMessage() throws Exception {
    RuntimeException naming = new IllegalStateException("no route to <someone@example.org>");
    String relay;
    List<String> all;
    List<String> errors;
    try (LogLines logs = LogLines.capture("dev.postbus.smtp");
        ScriptedServer s = new ScriptedServer(PIPELINING, false, ScriptedServer::ok);
        SmtpConnection c =
            failingOnce(
                s,
                new FailingSocket(
                    "DATA\r\n", false, new IllegalStateException("wrapped", naming)))) {
      assertThat(c.send(ScriptedSends.message("one"), TO))
          .isInstanceOf(SendOutcome.ConnectionLost.class);
      assertThat(c.send(unencodable(naming), TO)).isEqualTo(UNWRITABLE);
      relay = "127.0.0.1:" + s.port();
      all = logs.lines();
      errors = logs.lines(Level.ERROR);
    }
    assertThat(all)
        .noneSatisfy(l -> assertThat(l).contains("someone@example.org"))
        .noneSatisfy(l -> assertThat(l).contains("wrapped"));
    assertThat(errors)
        .as("both errors are logged, naming the relay and the error's class")
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).contains(relay, "IllegalStateException", "SendErrorIT"));
  }

  /** A message whose writing throws {@code bug} (a bug of ours while encoding). */
  private static MimeMessage unencodable(RuntimeException bug) throws Exception {
    return new MimeMessage(ScriptedSends.message("one")) {
      @Override
      public void writeTo(OutputStream os, String[] ignoreList) {
        throw bug;
      }
    };
  }

  private static MimeMessage unencodable() throws Exception {
    return unencodable(new IllegalStateException("a bug of ours while encoding"));
  }

  @Test
  void theLedgerGatesErrorPassesThroughUnchanged() throws Exception {
    RuntimeException withheld = new IllegalStateException("the final dot is withheld");
    AtomicBoolean gateFails = new AtomicBoolean(true);
    try (ScriptedServer s = new ScriptedServer(PIPELINING, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(ScriptedSends.config(s.port()), Clock.systemUTC(), "t")) {
      c.beforeFinalDot(
          () -> {
            if (gateFails.getAndSet(false)) {
              throw withheld;
            }
          });
      assertThatThrownBy(() -> c.send(ScriptedSends.message("one"), TO)).isSameAs(withheld);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(s.messages).hasSize(1);
    }
  }

  @Test
  void anErrorPassesThroughAndLeavesTheConnectionDisconnected() throws Exception {
    Error error = new OutOfMemoryError("injected");
    try (ScriptedServer s = new ScriptedServer(PIPELINING, false, ScriptedServer::ok);
        SmtpConnection c = failingOnce(s, new FailingSocket("DATA\r\n", false, error))) {
      assertThatThrownBy(() -> c.send(ScriptedSends.message("one"), TO)).isSameAs(error);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
    }
  }

  @Test
  void anErrorInTheBookkeepingAfterTheRelaysResultLosesNoResultAndDropsTheConnection()
      throws Exception {
    // the 1st instant is taken when the connection opens, the 2nd once the relay answered
    Clock clock = new FailingClock(2);
    try (ScriptedServer s = new ScriptedServer(PIPELINING, false, ScriptedServer::ok);
        SmtpConnection c = new SmtpConnection(ScriptedSends.config(s.port()), clock, "t")) {
      assertThat(c.send(ScriptedSends.message("one"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
      assertThat(s.messages).hasSize(2);
    }
  }

  /** A clock whose {@code nth} instant throws (a bug of ours); the others are one fixed instant. */
  private static final class FailingClock extends Clock {
    private final AtomicInteger instants = new AtomicInteger();
    private final int nth;

    FailingClock(int nth) {
      this.nth = nth;
    }

    @Override
    public Instant instant() {
      if (instants.incrementAndGet() == nth) {
        throw bug();
      }
      return Instant.parse("2026-01-01T00:00:00Z");
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** A connection to {@code s} whose first session goes over {@code first}, the next ones not. */
  private static SmtpConnection failingOnce(ScriptedServer s, FailingSocket first) {
    SmtpConfig config = ScriptedSends.config(s.port());
    AtomicBoolean firstOne = new AtomicBoolean(true);
    SessionOpener opener =
        new SessionOpener(
            config,
            host -> new InetAddress[] {InetAddress.getLoopbackAddress()},
            () -> firstOne.getAndSet(false) ? first : new Socket());
    return new SmtpConnection(
        config, new RelayOffer("127.0.0.1:" + s.port()), Clock.systemUTC(), "t", opener);
  }
}
