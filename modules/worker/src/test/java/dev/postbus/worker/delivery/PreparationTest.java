package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.testkit.LogLines;
import jakarta.mail.Session;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PreparationTest {

  /** A clock whose reading fails: an error of ours while the message is built. */
  private static final class BrokenClock extends Clock {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      throw new IllegalStateException(
          new jakarta.mail.internet.AddressException("Illegal address", "someone@example.org"));
    }
  }

  @Test
  void anUnexpectedErrorBuildingTheMessageIsLoggedWithoutItsMessage() {
    JobCodec codec = new JobCodec();
    Preparation preparation =
        new Preparation(
            codec,
            new MessageBuilder(Session.getInstance(new Properties()), new BrokenClock()),
            Clock.systemUTC());
    Job job = Job.text("j1", "shop@example.com", "bob@example.net", "Receipt", "Thanks");
    Preparation.Result result;
    List<String> logged;
    try (LogLines logs = LogLines.capture("dev.postbus.worker")) {
      result = preparation.prepare(codec.encode(job), null);
      logged = logs.lines();
    }
    assertThat(result).as("dead-lettered as poison").isInstanceOf(Preparation.Refused.class);
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("building the message of job j1 failed unexpectedly")
                    .contains("IllegalStateException", "AddressException"));
  }

  @Test
  void aPoolNoRelayServesIsNamedClippedWithoutItsLineBreaks() {
    JobCodec codec = new JobCodec();
    Preparation preparation =
        new Preparation(
            codec,
            new MessageBuilder(Session.getInstance(new Properties()), Clock.systemUTC()),
            Clock.systemUTC(),
            pool -> false,
            "default",
            dev.postbus.worker.reputation.Suppressions.none(Clock.systemUTC()));
    String forged = "x\r\n<forged line with bob@example.com>" + "y".repeat(900);
    Job j = Job.text("j2", "shop@example.com", "bob@example.net", "Receipt", "Thanks");
    Job job =
        new Job(
            j.schema(),
            j.id(),
            j.from(),
            j.replyTo(),
            j.to(),
            j.cc(),
            j.bcc(),
            j.subject(),
            j.text(),
            j.html(),
            j.headers(),
            j.attachments(),
            java.util.Map.of("relay-pool", forged),
            j.notBefore(),
            j.expiresAt());
    Preparation.Result result = preparation.prepare(codec.encode(job), null);
    assertThat(result).isInstanceOf(Preparation.Refused.class);
    String reason = ((Preparation.Refused) result).failure().reason();
    assertThat(reason)
        .startsWith("tags.relay-pool: ")
        .doesNotContain("\r", "\n", "bob@example.com", forged)
        .contains("(pools served: default)");
    Preparation.Result named =
        preparation.prepare(
            codec.encode(
                new Job(
                    j.schema(),
                    j.id(),
                    j.from(),
                    j.replyTo(),
                    j.to(),
                    j.cc(),
                    j.bcc(),
                    j.subject(),
                    j.text(),
                    j.html(),
                    j.headers(),
                    j.attachments(),
                    java.util.Map.of("relay-pool", "bulk-2"),
                    j.notBefore(),
                    j.expiresAt())),
            null);
    assertThat(((Preparation.Refused) named).failure().reason())
        .as("a pool name a relay could list is named")
        .startsWith("tags.relay-pool: no relay serves pool 'bulk-2' (pools served: default)");
  }
}
