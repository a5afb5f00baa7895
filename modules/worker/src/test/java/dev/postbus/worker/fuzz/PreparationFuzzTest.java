package dev.postbus.worker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.JobCodec;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.worker.delivery.MessageBuilder;
import dev.postbus.worker.delivery.Preparation;
import dev.postbus.worker.outcome.Failure;
import jakarta.mail.Session;
import java.time.Clock;
import java.util.Properties;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * 10,000 generated hostile payloads through the lane's decode, validate and build step (the code
 * every record goes through): nothing escapes, every one is refused as poison, and the reason names
 * the field.
 */
class PreparationFuzzTest {

  private static final Preparation PREPARATION =
      new Preparation(
          new JobCodec(HostilePayloads.LIMITS),
          new MessageBuilder(Session.getInstance(new Properties()), Clock.systemUTC()),
          Clock.systemUTC());
  private static final Set<String> JOB_FIELDS =
      Set.of(
          "(payload)",
          "schema",
          "id",
          "from",
          "replyTo",
          "to",
          "cc",
          "bcc",
          "subject",
          "text",
          "html",
          "headers",
          "attachments",
          "tags",
          "notBefore",
          "expiresAt");

  @Property(tries = 10_000)
  void everyHostilePayloadIsRefusedAsPoisonWithTheFieldNamed(
      @ForAll("hostile") HostilePayloads.Case c) {
    Statistics.collect(c.kind().replaceAll(" (in|for) .*| \\d+.*|^\\d+ ", ""));

    Preparation.Result result =
        PREPARATION.prepare(c.payload(), null); // an exception here fails the property

    assertThat(result).as(c.toString()).isInstanceOf(Preparation.Refused.class);
    Failure failure = ((Preparation.Refused) result).failure();
    assertThat(failure.outcomeClass()).as(c.toString()).isEqualTo(OutcomeClass.POISON);
    String reason = failure.reason();
    assertThat(reason).as(c.toString()).contains(": ");
    String field = reason.substring(0, reason.indexOf(": "));
    assertThat(field.split("[.\\[]")[0])
        .as("field named by '%s' for %s", reason, c)
        .isIn(JOB_FIELDS);
    assertThat(reason)
        .as("a reason never repeats an address")
        .doesNotContain("example.net", "example.org");
  }

  @Provide
  Arbitrary<HostilePayloads.Case> hostile() {
    return HostilePayloads.any();
  }
}
