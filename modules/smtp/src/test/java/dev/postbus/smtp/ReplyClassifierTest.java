package dev.postbus.smtp;

import static dev.postbus.smtp.OutcomeClass.DELIVERED;
import static dev.postbus.smtp.OutcomeClass.FATAL;
import static dev.postbus.smtp.OutcomeClass.PERMANENT;
import static dev.postbus.smtp.OutcomeClass.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyClassifierTest {

  private final ReplyClassifier classifier = ReplyClassifier.defaults();

  private static SendOutcome rejected(int code, String text) {
    return new SendOutcome.Rejected(SmtpReply.parse(code, code + " " + text), "DATA");
  }

  /** case, outcome, class, fresh connection, relay-level, in doubt, throttle */
  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of(
            "250 accepted",
            new SendOutcome.Delivered(SmtpReply.parse(250, "250 2.0.0 Ok")),
            DELIVERED,
            false,
            false,
            false,
            false),
        Arguments.of(
            "421 closing channel",
            rejected(421, "4.3.2 Service shutting down"),
            TRANSIENT,
            true,
            false,
            false,
            true),
        Arguments.of(
            "450 mailbox busy",
            rejected(450, "4.2.1 Mailbox busy"),
            TRANSIENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "451 local error",
            rejected(451, "4.3.0 Try later"),
            TRANSIENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "452 storage",
            rejected(452, "4.3.1 Insufficient storage"),
            TRANSIENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "454 SES throttling",
            rejected(454, "Throttling failure: Maximum sending rate exceeded."),
            TRANSIENT,
            false,
            false,
            false,
            true),
        Arguments.of(
            "451 4.7.x policy",
            rejected(451, "4.7.1 Greylisted"),
            TRANSIENT,
            false,
            false,
            false,
            true),
        Arguments.of(
            "500 syntax",
            rejected(500, "5.5.2 Syntax error"),
            PERMANENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "550 5.1.1 unknown user",
            rejected(550, "5.1.1 User unknown"),
            PERMANENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "552 size",
            rejected(552, "5.3.4 Message too big"),
            PERMANENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "553 mailbox name",
            rejected(553, "5.1.3 Bad address syntax"),
            PERMANENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "554 5.7.1 policy",
            rejected(554, "5.7.1 Message rejected"),
            PERMANENT,
            false,
            false,
            false,
            false),
        Arguments.of(
            "535 5.7.8 on AUTH",
            new SendOutcome.RelayRefused(
                "authentication failed",
                SmtpReply.parse(535, "535 5.7.8 Authentication credentials invalid")),
            FATAL,
            false,
            true,
            false,
            false),
        Arguments.of(
            "535 5.7.8 as a reply",
            rejected(535, "5.7.8 Authentication credentials invalid"),
            FATAL,
            false,
            true,
            false,
            false),
        Arguments.of(
            "TLS failure",
            new SendOutcome.RelayRefused("TLS failed", null),
            FATAL,
            false,
            true,
            false,
            false),
        Arguments.of(
            "connect refused",
            new SendOutcome.ConnectFailed("connect failed: ConnectException (Connection refused)"),
            TRANSIENT,
            true,
            true,
            false,
            false),
        Arguments.of(
            "connect timeout",
            new SendOutcome.ConnectFailed(
                "connect failed: SocketTimeoutException (Connect timed out)"),
            TRANSIENT,
            true,
            true,
            false,
            false),
        Arguments.of(
            "read timeout before DATA ends",
            new SendOutcome.ConnectionLost(
                "connection lost before the end of data: SocketTimeoutException"),
            TRANSIENT,
            true,
            false,
            false,
            false),
        Arguments.of(
            "lost after the final dot",
            new SendOutcome.InDoubt("connection lost after the end of data"),
            TRANSIENT,
            false,
            false,
            true,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void classifiesByCodesNeverByText(
      String name,
      SendOutcome outcome,
      OutcomeClass expected,
      boolean fresh,
      boolean relayLevel,
      boolean inDoubt,
      boolean throttle) {
    Verdict v = classifier.classify(outcome);
    assertThat(v.outcomeClass()).isEqualTo(expected);
    assertThat(v.freshConnection()).as("fresh connection").isEqualTo(fresh);
    assertThat(v.relayLevel()).as("relay-level").isEqualTo(relayLevel);
    assertThat(v.inDoubt()).as("in doubt").isEqualTo(inDoubt);
    assertThat(v.throttle()).as("throttle").isEqualTo(throttle);
  }

  @Test
  void aMessageThatCouldNotBeWrittenIsPermanentAndNotTheRelays() {
    Verdict v =
        ReplyClassifier.defaults()
            .classify(new SendOutcome.Unwritable("the message could not be written: X"));
    assertThat(v.outcomeClass()).isEqualTo(OutcomeClass.PERMANENT);
    assertThat(v.relayLevel()).as("the relay is not taken out for it").isFalse();
  }

  @Test
  void textThatSoundsPermanentDoesNotChangeATemporaryCode() {
    assertThat(
            classifier.classify(rejected(451, "user unknown, permanently rejected")).outcomeClass())
        .isEqualTo(TRANSIENT);
  }

  @Test
  void retryHintIsTheOnlyThingReadFromText() {
    assertThat(
            classifier.classify(rejected(451, "4.7.1 Please try again in 30 seconds")).retryAfter())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(classifier.classify(rejected(421, "4.7.0 Retry after 5 minutes")).retryAfter())
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(classifier.classify(rejected(451, "4.3.0 Try later")).retryAfter()).isNull();
  }

  @Test
  void operatorOverridesWinMostSpecificFirst() {
    ReplyClassifier c =
        new ReplyClassifier(
            Map.of("550", TRANSIENT, "5.7.*", TRANSIENT, "5.7.1", PERMANENT, "4.7.*", PERMANENT));
    assertThat(c.classify(SmtpReply.parse(550, "550 5.1.1 x")).outcomeClass()).isEqualTo(TRANSIENT);
    assertThat(c.classify(SmtpReply.parse(554, "554 5.7.9 x")).outcomeClass()).isEqualTo(TRANSIENT);
    assertThat(c.classify(SmtpReply.parse(554, "554 5.7.1 x")).outcomeClass()).isEqualTo(PERMANENT);
    assertThat(c.classify(SmtpReply.parse(451, "451 4.7.1 x")).outcomeClass()).isEqualTo(PERMANENT);
    assertThat(c.classify(SmtpReply.parse(552, "552 x")).outcomeClass()).isEqualTo(PERMANENT);
  }

  @Test
  void badOverrideKeyNamesTheSetting() {
    assertThatThrownBy(() -> new ReplyClassifier(Map.of("55x", PERMANENT)))
        .hasMessageStartingWith("smtp.class-overrides: '55x' is not a reply code");
  }

  @Test
  void partlyDeliveredJobIsDeliveredAsAWhole() {
    var partial =
        new SendOutcome.RecipientsRefused(
            List.of(new SendOutcome.Refusal("x@example.com", SmtpReply.parse(550, "550 5.1.1 no"))),
            1,
            SmtpReply.parse(250, "250 ok"));
    assertThat(classifier.classify(partial).outcomeClass()).isEqualTo(DELIVERED);
  }
}
