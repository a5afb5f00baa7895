package dev.postbus.smtp;

import static dev.postbus.smtp.ScriptedSends.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A relay that refuses the MAIL, or every RCPT, of a pipelined group and then hangs up (RFC 5321
 * allows a close after a 421; Postfix closes at its hard error limit): no transaction existed, so
 * the message was certainly not accepted. The refusal is the outcome, as it would be had the
 * connection stayed, never a message lost or in doubt (retried for a day, or dead-lettered as in
 * doubt).
 */
class RefusalThenHangUpIT {

  private static final String TWO_REFUSED =
      "250 2.1.0 ok\r\n550 5.1.1 no such user\r\n550 5.1.1 no such user";

  @ParameterizedTest(name = "{0}: {1} then close")
  @CsvSource({
    "BDAT, 421 4.7.0 later",
    "BDAT, 550 5.7.1 not from you",
    "DATA, 421 4.7.0 later",
    "DATA, 550 5.7.1 not from you"
  })
  void aRefusedMailThenAHangUpIsThatRefusal(String mode, String mailReply) throws Exception {
    try (HandRelay relay = new HandRelay(p -> envelopeThenHangUp(p, mode, mailReply))) {
      SendOutcome o = send(relay, mode);
      assertThat(o)
          .isInstanceOfSatisfying(
              SendOutcome.Rejected.class,
              r -> {
                assertThat(r.command()).isEqualTo("MAIL");
                assertThat(r.reply().codes()).isEqualTo(mailReply.substring(0, 9));
              });
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"BDAT", "DATA"})
  void everyRecipientRefusedThenAHangUpIsRecipientsRefusedWithNoneAccepted(String mode)
      throws Exception {
    try (HandRelay relay = new HandRelay(p -> envelopeThenHangUp(p, mode, TWO_REFUSED))) {
      SendOutcome o = send(relay, mode);
      assertThat(o)
          .isInstanceOfSatisfying(
              SendOutcome.RecipientsRefused.class,
              r -> {
                assertThat(r.accepted()).isZero();
                assertThat(r.refused()).hasSize(2);
                assertThat(r.refused().get(0).reply().codes()).isEqualTo("550 5.1.1");
                assertThat(r.dataReply()).isNull();
              });
    }
  }

  private static SendOutcome send(HandRelay relay, String mode) throws Exception {
    try (SmtpConnection c =
        new SmtpConnection(ScriptedSends.config(relay.port()), Clock.systemUTC(), "t")) {
      return c.send(message("x"), Rcpt.of("a@example.net", "b@example.net"));
    }
  }

  /**
   * Takes the whole pipelined group (and the BDAT chunk), answers with {@code replies} and closes
   * the connection: the client has written everything before it reads a reply.
   */
  private static void envelopeThenHangUp(HandRelay.Peer p, String mode, String replies)
      throws Exception {
    p.reply("220 hand ESMTP");
    p.line(); // EHLO
    p.reply(
        mode.equals("BDAT")
            ? "250-hand\r\n250-PIPELINING\r\n250 CHUNKING"
            : "250-hand\r\n250 PIPELINING");
    p.line(); // MAIL
    p.line(); // RCPT
    p.line(); // RCPT
    String end = p.line();
    if (end.startsWith("BDAT")) {
      p.bytes(Integer.parseInt(end.split(" ")[1]));
    }
    p.reply(replies);
    // returning closes the connection, before any other reply
  }
}
