package dev.postbus.worker.delivery;

import dev.postbus.job.InvalidJobException;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.TraceOnly;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.worker.config.RelayConfig;
import dev.postbus.worker.outcome.Failure;
import dev.postbus.worker.reputation.Suppressions;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lane's first step: a record's bytes to a message ready to send, or the failure that ends the
 * job. Whatever the bytes, it returns; nothing a payload contains can stop a lane.
 */
public final class Preparation {

  private static final Logger log = LoggerFactory.getLogger(Preparation.class);

  /** What preparing a record gives. */
  public sealed interface Result permits Ready, Refused, NotYet {}

  /**
   * Scheduled for later ({@code notBefore}): to wait on the retry ladder without holding its
   * partition.
   */
  public record NotYet(Job job, java.time.Instant notBefore) implements Result {}

  /**
   * Ready to send: the job, its MIME message and the envelope recipients (never empty); {@code
   * suppressed} names the recipients taken out because they are on the suppression list, or is
   * null.
   */
  public record Ready(Job job, MimeMessage message, Address[] recipients, Suppressed suppressed)
      implements Result {
    public Ready(Job job, MimeMessage message, Address[] recipients) {
      this(job, message, recipients, null);
    }
  }

  /** Recipients on the suppression list, and the reason of the first one's entry. */
  public record Suppressed(List<String> addresses, String reason) {
    public Failure failure() {
      return new Failure(OutcomeClass.SUPPRESSED, "suppressed: " + reason, null, null, false);
    }
  }

  /**
   * Not sendable. {@code job} is null when the payload is not a job; {@code recipients} are those
   * the record was limited to (to carry into the dead letter), or null.
   */
  public record Refused(Job job, Failure failure, List<String> recipients) implements Result {}

  /**
   * Why a job with {@code unsubscribe} is dead-lettered by a worker that cannot make its link: it
   * must not go out without one (Gmail and Yahoo require it of bulk mail).
   */
  static final String NO_UNSUBSCRIBE_LINKS =
      "unsubscribe: this worker makes no unsubscribe links (unsubscribe.base-url and"
          + " feedback.unsubscribe-key-file are unset); set them and replay the dead letter";

  private final JobCodec codec;
  private final MessageBuilder builder;
  private final Clock clock;
  private final java.util.function.Predicate<String> poolServed;
  private final String servedPools;
  private final Suppressions suppressions;

  /** Every relay pool is served, nothing is suppressed. */
  public Preparation(JobCodec codec, MessageBuilder builder, Clock clock) {
    this(codec, builder, clock, pool -> true, "*", Suppressions.none(clock));
  }

  /**
   * @param poolServed whether some relay serves a pool
   * @param servedPools those pools, for the refusal
   * @param suppressions the list every recipient is checked against
   */
  public Preparation(
      JobCodec codec,
      MessageBuilder builder,
      Clock clock,
      java.util.function.Predicate<String> poolServed,
      String servedPools,
      Suppressions suppressions) {
    this.codec = codec;
    this.builder = builder;
    this.clock = clock;
    this.poolServed = poolServed;
    this.servedPools = servedPools;
    this.suppressions = suppressions;
  }

  /**
   * {@code only}: the recipients this record is limited to (after a partial send), or null for all.
   */
  public Result prepare(byte[] payload, List<String> only) {
    Job job;
    try {
      job = codec.read(payload);
    } catch (InvalidJobException e) {
      return new Refused(null, Failure.poison(e.getMessage()), only);
    } catch (RuntimeException e) {
      // A bug of ours, not of the payload; the job is still dead-lettered with its bytes, and the
      // lane lives on.
      log.error(
          "decoding a job failed unexpectedly; dead-lettering it as poison",
          TraceOnly.of(e)); // its message can quote the payload
      return new Refused(
          null,
          Failure.poison("(payload): could not be decoded: " + e.getClass().getSimpleName()),
          only);
    }
    Result notNow = notNow(job, only);
    return notNow != null ? notNow : message(job, only);
  }

  /** Chooses each prepared message's envelope sender for the relay it goes to. */
  EnvelopeSender envelopeSender() {
    return builder.envelopeSender();
  }

  /** Refuses a record for {@code f}, with its job when the payload decodes. */
  public Refused refuse(byte[] payload, Failure f) {
    Job job;
    try {
      job = codec.read(payload);
    } catch (InvalidJobException | RuntimeException e) {
      job = null;
    }
    return new Refused(job, f, null);
  }

  /** Why the job is not sent now (expired, no relay for its pool, not due yet), or null. */
  private Result notNow(Job job, List<String> only) {
    if (job.expiresAt() != null && clock.instant().isAfter(job.expiresAt())) {
      String reason = "expiresAt " + job.expiresAt() + " passed before it could be sent";
      return new Refused(job, new Failure(OutcomeClass.EXPIRED, reason, null, null, false), only);
    }
    String pool = RelayConfig.poolOf(job);
    if (!poolServed.test(pool)) {
      return new Refused(job, Failure.poison(noRelayServes(pool)), only);
    }
    if (job.unsubscribe() != null && !builder.makesUnsubscribeLinks()) {
      return new Refused(job, Failure.poison(NO_UNSUBSCRIBE_LINKS), only);
    }
    if (job.notBefore() != null && clock.instant().isBefore(job.notBefore())) {
      return new NotYet(job, job.notBefore());
    }
    return null;
  }

  /**
   * Why no relay takes the job: its pool is named when it is a name a relay could list; any other
   * tag value (up to 1,024 characters of anything: a line break, an address) only by its length,
   * since the reason is logged and written to the dead letter.
   */
  private String noRelayServes(String pool) {
    String served = " (pools served: " + servedPools + ")";
    if (!RelayConfig.isPoolName(pool)) {
      return "tags."
          + RelayConfig.POOL_TAG
          + ": not a pool name ("
          + RelayConfig.POOL_NAME_RULE
          + "; got "
          + pool.length()
          + " characters), so no relay serves it"
          + served
          + "; fix the tag and replay the dead letter";
    }
    return "tags."
        + RelayConfig.POOL_TAG
        + ": no relay serves pool '"
        + pool
        + "'"
        + served
        + "; add it to a relay's pools and replay the dead letter";
  }

  /** The message and its envelope, less the recipients on the suppression list. */
  private Result message(Job job, List<String> only) {
    try {
      Address[] recipients = MessageBuilder.envelope(job, only);
      if (recipients.length == 0) {
        return new Refused(
            job,
            Failure.poison(
                "postbus.recipients: names none of the job's recipients"
                    + Attempt.REPLAY_SENDS_TO_ALL),
            null);
      }
      List<Address> kept = new ArrayList<>(recipients.length);
      Suppressed s = suppressed(recipients, job.list(), kept);
      if (s == null) {
        return new Ready(job, builder.build(job), recipients);
      }
      if (kept.isEmpty()) {
        return new Refused(job, s.failure(), s.addresses());
      }
      return new Ready(job, builder.build(job), kept.toArray(Address[]::new), s);
    } catch (MessagingException | RuntimeException e) {
      if (e instanceof RuntimeException) {
        log.error(
            "building the message of job {} failed unexpectedly; dead-lettering it as poison",
            job.id(),
            TraceOnly.of(e)); // its message can quote an address or a header
      }
      return new Refused(
          job,
          Failure.poison("(message): cannot build MIME message: " + e.getClass().getSimpleName()),
          only);
    }
  }

  /**
   * The recipients on the suppression list for mail of {@code list} (the job's {@code
   * unsubscribe.list}, or null: then only global entries count), with the first one's reason, or
   * null when none; the others are added to {@code kept}.
   */
  private Suppressed suppressed(Address[] recipients, String list, List<Address> kept) {
    List<String> suppressed = null;
    String reason = null;
    for (Address a : recipients) {
      String address = ((InternetAddress) a).getAddress();
      SuppressionSet.Match m = suppressions.check(address, list);
      if (m == null) {
        kept.add(a);
      } else {
        if (suppressed == null) {
          suppressed = new ArrayList<>();
          reason = m.reason();
        }
        suppressed.add(address);
      }
    }
    return suppressed == null ? null : new Suppressed(List.copyOf(suppressed), reason);
  }
}
