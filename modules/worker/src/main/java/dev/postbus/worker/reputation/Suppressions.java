package dev.postbus.worker.reputation;

import dev.postbus.smtp.SmtpReply;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionWriter;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of the suppression list: the set it checks every recipient against (fed by the
 * topic reader, and at once by its own bounces), and the bounces it adds. Logs name no address.
 */
public final class Suppressions implements SuppressionReader.Listener {

  private static final Logger log = LoggerFactory.getLogger(Suppressions.class);

  private final SuppressionSet set;
  private final Set<String> codes;
  private final SuppressionWriter writer;
  private final Clock clock;
  private final Map<Source, AtomicLong> suppressed = new EnumMap<>(Source.class);
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong added = new AtomicLong();
  private final OwnTrip ownTrip = new OwnTrip();
  private final java.util.concurrent.ScheduledExecutorService executor;

  /** How long before a trip Kafka did not take is written again. */
  static final java.time.Duration TRIP_RETRY = java.time.Duration.ofSeconds(1);

  /**
   * @param codes enhanced codes of a permanent refusal that put the recipient on the list
   * @param writer where this worker's bounces go, or null to add none
   * @param executor where the guard's trip is written again until Kafka has it (never on Kafka's
   *     callback thread); may be null only when {@code writer} is
   */
  public Suppressions(
      SuppressionSet set,
      Set<String> codes,
      SuppressionWriter writer,
      java.util.concurrent.ScheduledExecutorService executor,
      Clock clock) {
    if (writer != null && executor == null) {
      throw new IllegalArgumentException("a suppression writer needs an executor");
    }
    this.executor = executor;
    this.set = set;
    this.codes = Set.copyOf(codes);
    this.writer = writer;
    this.clock = clock;
    for (Source s : Source.values()) {
      suppressed.put(s, new AtomicLong());
    }
  }

  /** An empty list that adds nothing (tests, benchmarks). */
  public static Suppressions none(Clock clock) {
    return new Suppressions(new SuppressionSet(), Set.of(), null, null, clock);
  }

  /** The global entry that keeps {@code address} from being mailed, or null; counted by source. */
  public SuppressionSet.Match check(String address) {
    return check(address, null);
  }

  /**
   * The entry that keeps {@code address} from mail of {@code list} (a job's {@code
   * unsubscribe.list}): a global entry, or one scoped to that list; for mail of no list
   * (transactional) only a global entry. Null when none; counted by source.
   */
  public SuppressionSet.Match check(String address, String list) {
    SuppressionSet.Match m = set.find(address, list, clock.instant());
    if (m != null) {
      suppressed.get(m.source()).incrementAndGet();
    }
    return m;
  }

  /**
   * A recipient was refused permanently: when its enhanced code is one of {@code
   * suppression.codes}, it goes on the list, here at once and for every worker through the topic.
   */
  public void refused(String address, SmtpReply reply, String command) {
    if (writer == null
        || reply == null
        || !reply.permanentFailure()
        || reply.enhancedCode() == null
        || !codes.contains(reply.enhancedCode())) {
      return;
    }
    Suppression s =
        Suppression.bounce(address, reply.code(), reply.enhancedCode(), command, clock.instant());
    set.add(s);
    added.incrementAndGet();
    try {
      writer.add(
          s,
          (metadata, error) -> {
            if (error != null) {
              notAdded(address, error);
            }
          });
    } catch (RuntimeException e) {
      notAdded(address, e);
    }
  }

  /**
   * This worker still skips the address; the others will mail it once more, and suppress it then.
   */
  private void notAdded(String address, Exception e) {
    log.warn(
        "could not add a bounced recipient (*@{}) to {}: {}",
        dev.postbus.suppression.Addresses.domain(address),
        writer.topic(),
        e.toString());
  }

  /** The group's bounce-rate guard as the topic says: a trip ("instance\nreason") or null. */
  private volatile java.util.function.Consumer<String> groupGuard = trip -> {};

  /** Told each trip and resume of the group's bounce-rate guard read from the topic. */
  public void onGroupGuard(java.util.function.Consumer<String> listener) {
    this.groupGuard = listener;
  }

  @Override
  public void guard(String trip, long offset) {
    if (trip == null && !ownTrip.resumes(offset)) {
      log.info(
          "a resume of the bounce-rate guard at offset {} of {} is older than this worker's own"
              + " trip (or comes while the trip is written): it does not resume this worker",
          offset,
          writer == null ? "the suppressions topic" : writer.topic());
      return;
    }
    groupGuard.accept(trip);
  }

  /**
   * Keeps this worker's trip on the topic, for the group and for any restart: written again every
   * {@link #TRIP_RETRY} until Kafka has it (or an operator resumed).
   */
  public void guardTripped(String instance, String reason) {
    if (writer != null) {
      writeTrip(instance, reason, ownTrip.writing());
    }
  }

  private void writeTrip(String instance, String reason, long gen) {
    if (!ownTrip.wanted(gen)) {
      return;
    }
    try {
      writer.guardTripped(
          instance,
          reason,
          (metadata, error) ->
              executor.execute(() -> tripAnswered(instance, reason, gen, metadata, error)));
    } catch (RuntimeException e) {
      tripAnswered(instance, reason, gen, null, e);
    }
  }

  private void tripAnswered(
      String instance,
      String reason,
      long gen,
      org.apache.kafka.clients.producer.RecordMetadata metadata,
      Exception error) {
    if (error == null) {
      if (ownTrip.written(gen, metadata.offset())) {
        groupGuard.accept(null); // a resume newer than the trip was read while it was written
      }
      return;
    }
    log.warn(
        "could not keep the bounce-rate guard's trip on {} ({}); writing it again in {} ms",
        writer.topic(),
        error.toString(),
        TRIP_RETRY.toMillis());
    executor.schedule(
        () -> writeTrip(instance, reason, gen),
        TRIP_RETRY.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Lifts the trip kept on the topic, waiting at most {@code wait} for Kafka to take it. Returns
   * null when Kafka has it (or there is no topic), else why not: then this worker stays paused.
   */
  public String guardResumed(java.time.Duration wait) {
    if (writer == null) {
      return null;
    }
    try {
      writer.guardResumed().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      ownTrip.resumed();
      return null;
    } catch (java.util.concurrent.TimeoutException e) {
      return "Kafka did not acknowledge the resume on "
          + writer.topic()
          + " within "
          + wait.toSeconds()
          + " s";
    } catch (java.util.concurrent.ExecutionException e) {
      return "Kafka refused the resume on " + writer.topic() + ": " + e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while writing the resume to " + writer.topic();
    } catch (RuntimeException e) {
      return "could not write the resume to " + writer.topic() + ": " + e;
    }
  }

  @Override
  public void added(Suppression s) {
    set.add(s);
  }

  @Override
  public void removed(dev.postbus.suppression.SuppressionCodec.Key key) {
    set.remove(key.address(), key.list());
  }

  @Override
  public void malformed(String problem) {
    long n = malformed.incrementAndGet();
    if (n == 1 || Long.bitCount(n) == 1) { // the first, then at powers of two: never a flood
      log.warn("skipping a malformed suppression record ({} so far): {}", n, problem);
    }
  }

  public int size() {
    return set.size();
  }

  /** Recipients taken out of jobs because of an entry from {@code source}. */
  public long suppressed(Source source) {
    return suppressed.get(source).get();
  }

  public long malformedRecords() {
    return malformed.get();
  }

  /** Bounced recipients this worker put on the list. */
  public long added() {
    return added.get();
  }
}
