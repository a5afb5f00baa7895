package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.smtp.internal.SessionOpener;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An unexpected error of ours while a message is sent (a bug, not the relay's answer) ends that
 * send as the relay's end would have: lost (retried on a fresh connection) while the final "." was
 * not written, in doubt once it was. It used to escape the send, and the worker took every such job
 * as in doubt. The connection is disconnected either way. The ledger gate's errors (the final dot
 * withheld) and Errors still pass through.
 */
class SendErrorIT {

  private static final Address[] TO = to();
  private static final List<String> PIPELINING = List.of("PIPELINING");

  /** An error of ours inside the session (a bug in encoding, say). */
  private static RuntimeException bug() {
    return new IllegalStateException("a bug of ours");
  }

  /** "PIPELINING CHUNKING": the EHLO keywords the relay offers. */
  private static List<String> extensions(String ext) {
    return ext.isEmpty() ? List.of() : List.of(ext.split(" "));
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
    try (ScriptedServer s = new ScriptedServer(extensions(ext), false, ScriptedServer::ok);
        SmtpConnection c = failingOnce(s, new FailingSocket(marker(on), true, bug()))) {
      assertThat(c.send(ScriptedSends.message("one"), TO))
          .isInstanceOfSatisfying(
              SendOutcome.InDoubt.class,
              d -> assertThat(d.problem()).contains("unexpected error (IllegalStateException)"));
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(c.opens()).isEqualTo(2);
    }
  }

  @Test
  void anErrorWritingTheMessageIntoMemoryLosesItAndTheNextSendOpensAfresh() throws Exception {
    try (ScriptedServer s = new ScriptedServer(PIPELINING, false, ScriptedServer::ok);
        SmtpConnection c =
            new SmtpConnection(ScriptedSends.config(s.port()), Clock.systemUTC(), "t")) {
      MimeMessage broken =
          new MimeMessage(ScriptedSends.message("one")) {
            @Override
            public void writeTo(OutputStream os, String[] ignoreList) {
              throw new IllegalStateException("a bug of ours while encoding");
            }
          };
      assertThat(c.send(broken, TO)).isInstanceOf(SendOutcome.ConnectionLost.class);
      assertThat(c.state()).isEqualTo(ConnectionState.DISCONNECTED);

      assertThat(c.send(ScriptedSends.message("two"), TO))
          .isInstanceOf(SendOutcome.Delivered.class);
      assertThat(s.messages).hasSize(1);
    }
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

  private static Address[] to() {
    try {
      return new Address[] {new InternetAddress("someone@example.org")};
    } catch (jakarta.mail.internet.AddressException e) {
      throw new IllegalStateException(e);
    }
  }
}
