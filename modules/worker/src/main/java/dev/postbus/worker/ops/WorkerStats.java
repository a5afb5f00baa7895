package dev.postbus.worker.ops;

import java.util.concurrent.atomic.LongAdder;

/** Counters of what this worker did since it started. Thread-safe. */
public final class WorkerStats implements dev.postbus.worker.outcome.OutcomeListener {

  /** A consistent-enough copy of the counters. */
  public record Snapshot(
      long delivered,
      long deadLettered,
      long poison,
      long retried,
      long inDoubt,
      long connectionFailures) {}

  private final LongAdder delivered = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder poison = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder inDoubt = new LongAdder();
  private final LongAdder ledgerSkipped = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder ledgerRetried = new LongAdder();
  private final LongAdder connectionFailures = new LongAdder();
  private final LongAdder verpSkipped = new LongAdder();
  private final LongAdder ledgerWaits = new LongAdder();
  private final LongAdder ledgerWaitNanos = new LongAdder();
  private final LatencyHistogram publishToDelivered = new LatencyHistogram();
  private final java.util.Map<String, LongAdder> deadLettersByClass =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, LongAdder> retriesByTier =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final ClassStats classes = new ClassStats();
  private volatile io.micrometer.core.instrument.Timer smtpSend;
  private volatile io.micrometer.core.instrument.Timer publishToDeliveredTimer;
  private volatile io.micrometer.core.instrument.Timer ledgerWait;

  /** Starts recording timers in {@code registry} as well (the worker's metrics). */
  public void bindTimers(io.micrometer.core.instrument.MeterRegistry registry) {
    smtpSend =
        io.micrometer.core.instrument.Timer.builder("postbus.smtp.send")
            .description("One SMTP transaction, from MAIL to the reply to the final dot")
            .publishPercentileHistogram()
            .register(registry);
    publishToDeliveredTimer =
        io.micrometer.core.instrument.Timer.builder("postbus.publish.to.delivered")
            .description("From the job's record timestamp to the relay's 2xx")
            .publishPercentileHistogram()
            .register(registry);
    ledgerWait =
        io.micrometer.core.instrument.Timer.builder("postbus.ledger.wait")
            .description("A final dot held for the send ledger to hold the lane's previous message")
            .publishPercentileHistogram()
            .minimumExpectedValue(java.time.Duration.ofNanos(50_000)) // a near Kafka's round trip
            .register(registry);
  }

  /** One SMTP send took this long. */
  @Override
  public void smtpSend(long nanos) {
    var t = smtpSend;
    if (t != null) {
      t.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  public java.util.Map<String, LongAdder> deadLettersByClass() {
    return deadLettersByClass;
  }

  public java.util.Map<String, LongAdder> retriesByTier() {
    return retriesByTier;
  }

  /** Time from publishing (the record's timestamp) to the relay's 2xx, of every delivery. */
  public LatencyHistogram publishToDelivered() {
    return publishToDelivered;
  }

  /**
   * A delivery of a record published at {@code publishedMillis} (epoch ms), completed at {@code
   * nowMillis}.
   */
  @Override
  public void delivered(long publishedMillis, long nowMillis) {
    delivered.increment();
    publishToDelivered.record((nowMillis - publishedMillis) * 1000);
    var t = publishToDeliveredTimer;
    if (t != null) {
      t.record(
          Math.max(0, nowMillis - publishedMillis), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void classMismatch() {
    classes.mismatch();
  }

  /** The figures of each job class. */
  @Override
  public void permitWait(dev.postbus.job.JobClass jobClass, long nanos) {
    classes.permitWait(jobClass, nanos);
  }

  public ClassStats classes() {
    return classes;
  }

  @Override
  public void byClass(
      dev.postbus.job.JobClass jobClass, String outcome, long publishedMillis, long nowMillis) {
    classes.record(jobClass, outcome, publishedMillis, nowMillis);
  }

  /** A job was dead-lettered with this class label (permanent, transient, poison, expired). */
  @Override
  public void deadLettered(String failureClass) {
    deadLettersByClass.computeIfAbsent(failureClass, k -> new LongAdder()).increment();
    deadLettered.increment();
    if (failureClass.equals("poison")) {
      poison.increment();
    }
  }

  /** A job needed another attempt. */
  public void retried() {
    retried.increment();
  }

  /** A job went to a tier of the retry ladder. */
  @Override
  public void retried(String tierTopic) {
    retriesByTier.computeIfAbsent(tierTopic, k -> new LongAdder()).increment();
    retried();
  }

  /** A redelivered record was not sent again: the send ledger holds it as finished. */
  public void ledgerSkipped() {
    ledgerSkipped.increment();
  }

  public long ledgerSkips() {
    return ledgerSkipped.sum();
  }

  @Override
  public void duplicate() {
    duplicates.increment();
  }

  /** Records not sent because their job id finished before (idempotent publishing). */
  public long duplicates() {
    return duplicates.sum();
  }

  /** A ledger entry's send failed and is tried again. */
  public void ledgerRetried() {
    ledgerRetried.increment();
  }

  public long ledgerRetries() {
    return ledgerRetried.sum();
  }

  @Override
  public void inDoubt() {
    inDoubt.increment();
  }

  @Override
  public void connectionFailed() {
    connectionFailures.increment();
  }

  @Override
  public void verpSkipped() {
    verpSkipped.increment();
  }

  @Override
  public void ledgerWait(long nanos) {
    ledgerWaits.increment();
    ledgerWaitNanos.add(nanos);
    var t = ledgerWait;
    if (t != null) {
      t.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  /** Final dots that waited for the send ledger (a wait of zero counted). */
  public long ledgerWaits() {
    return ledgerWaits.sum();
  }

  /** How long final dots waited for the send ledger, in all. */
  public long ledgerWaitNanos() {
    return ledgerWaitNanos.sum();
  }

  /** Jobs sent without their VERP return path (too long for RFC 5321). */
  public long verpSkips() {
    return verpSkipped.sum();
  }

  public Snapshot snapshot() {
    return new Snapshot(
        delivered.sum(),
        deadLettered.sum(),
        poison.sum(),
        retried.sum(),
        inDoubt.sum(),
        connectionFailures.sum());
  }
}
