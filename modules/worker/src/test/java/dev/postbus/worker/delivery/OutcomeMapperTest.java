package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpReply;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an attempt's ending becomes records, each rule alone (no relay, no Kafka). */
class OutcomeMapperTest {

  private final OutcomeMapper mapper =
      new OutcomeMapper(WorkerConfig.from(Settings.of(Map.of())).failures().classifier());

  private static Preparation.Ready ready(Preparation.Suppressed suppressed, String... to)
      throws Exception {
    Address[] recipients = new Address[to.length];
    for (int i = 0; i < to.length; i++) {
      recipients[i] = new InternetAddress(to[i]);
    }
    return new Preparation.Ready(
        Job.text("j", "shop@example.com", to[0], "s", "t"), null, recipients, suppressed);
  }

  @Test
  void aDeliveryCountsForTheRelayAndTheGuard() throws Exception {
    OutcomeMapper.Mapping m =
        mapper.map(
            ready(null, "a@example.net", "b@example.net"),
            null,
            new SendOutcome.Delivered(new SmtpReply(250, "2.0.0", "ok")));
    assertThat(m.steps())
        .containsExactly(new OutcomeMapper.Delivered(new SmtpReply(250, "2.0.0", "ok"), 2));
    assertThat(m.relayAccepted()).isTrue();
    assertThat(m.accepted()).isEqualTo(2);
    assertThat(m.slowDown()).isFalse();
  }

  @Test
  void aTransientRefusalRetriesOnlyWhatWasSentNotTheSuppressedRecipient() throws Exception {
    Preparation.Suppressed gone = new Preparation.Suppressed(List.of("gone@example.net"), "bounce");
    OutcomeMapper.Mapping m =
        mapper.map(
            ready(gone, "alice@example.net"),
            null,
            new SendOutcome.Rejected(new SmtpReply(451, "4.3.0", "later"), "DATA"));
    assertThat(m.steps()).hasSize(2);
    var suppressed = (OutcomeMapper.Failed) m.steps().get(0);
    assertThat(suppressed.failure().outcomeClass()).isEqualTo(OutcomeClass.SUPPRESSED);
    assertThat(suppressed.recipients()).containsExactly("gone@example.net");
    var retry = (OutcomeMapper.Failed) m.steps().get(1);
    assertThat(retry.failure().outcomeClass()).isEqualTo(OutcomeClass.TRANSIENT);
    assertThat(retry.recipients()).containsExactly("alice@example.net");
  }

  @Test
  void aThrottleAtRcptIsHeldAndSlowsTheRelayAPermanentRefusalIsABounce() throws Exception {
    OutcomeMapper.Mapping m =
        mapper.map(
            ready(null, "a@example.net", "busy@example.net", "nobody@example.net"),
            null,
            new SendOutcome.RecipientsRefused(
                List.of(
                    new SendOutcome.Refusal(
                        "busy@example.net", new SmtpReply(450, "4.7.1", "slow down")),
                    new SendOutcome.Refusal(
                        "nobody@example.net", new SmtpReply(550, "5.1.1", "unknown"))),
                1,
                new SmtpReply(250, "2.0.0", "ok")));
    assertThat(m.slowDown()).isTrue();
    assertThat(m.steps())
        .hasExactlyElementsOfTypes(
            OutcomeMapper.Delivered.class,
            OutcomeMapper.Failed.class,
            OutcomeMapper.Throttled.class);
    assertThat(((OutcomeMapper.Throttled) m.steps().get(2)).recipients())
        .containsExactly("busy@example.net");
    assertThat(m.bounces())
        .extracting(OutcomeMapper.Bounce::address)
        .containsExactly("nobody@example.net");
    assertThat(m.accepted()).isEqualTo(1);
    assertThat(m.refusedPermanently()).isEqualTo(1);
  }

  @Test
  void aMessageThatCouldNotBeWrittenIsAPermanentFailureButNoBounce() throws Exception {
    // Nothing reached the relay: no bounce, no refusal for the guard's bounce rate (a batch of such
    // jobs, an error of ours, must not pause every worker), no signal about the relay.
    OutcomeMapper.Mapping m =
        mapper.map(
            ready(null, "a@example.net"),
            null,
            new SendOutcome.Unwritable("the message could not be written: IllegalStateException"));
    assertThat(m.refusedPermanently()).isZero();
    assertThat(m.bounces()).isEmpty();
    assertThat(m.relayAccepted()).isFalse();
    assertThat(m.steps())
        .singleElement()
        .isInstanceOfSatisfying(
            OutcomeMapper.Failed.class,
            f -> {
              assertThat(f.failure().outcomeClass()).isEqualTo(OutcomeClass.PERMANENT);
              assertThat(f.failure().reason()).contains("could not be written");
              assertThat(f.failure().inDoubt()).isFalse();
            });
  }

  @Test
  void inDoubtIsATransientFailureMarkedInDoubt() throws Exception {
    OutcomeMapper.Mapping m =
        mapper.map(ready(null, "a@example.net"), null, new SendOutcome.InDoubt("reply lost"));
    var f = (OutcomeMapper.Failed) m.steps().get(0);
    assertThat(f.failure().inDoubt()).isTrue();
    assertThat(m.inDoubt()).isEqualTo("reply lost");
    assertThat(m.relayAccepted()).isFalse();
  }

  @Test
  void aFullMailboxAt452IsAnOrdinaryRetryNotAThrottle() throws Exception {
    OutcomeMapper.Mapping m =
        mapper.map(
            ready(null, "a@example.net", "full@example.net"),
            null,
            new SendOutcome.RecipientsRefused(
                List.of(
                    new SendOutcome.Refusal(
                        "full@example.net", new SmtpReply(452, "4.2.2", "mailbox full"))),
                1,
                new SmtpReply(250, "2.0.0", "ok")));
    assertThat(m.slowDown()).as("a full mailbox says nothing about the relay's rate").isFalse();
    assertThat(m.steps())
        .hasExactlyElementsOfTypes(OutcomeMapper.Delivered.class, OutcomeMapper.Failed.class);
    assertThat(((OutcomeMapper.Failed) m.steps().get(1)).recipients())
        .containsExactly("full@example.net");
  }
}
