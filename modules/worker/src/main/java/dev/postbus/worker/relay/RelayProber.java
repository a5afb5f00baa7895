package dev.postbus.worker.relay;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.smtp.SendOutcome;
import dev.postbus.smtp.SmtpConfig;
import dev.postbus.smtp.TraceOnly;
import dev.postbus.smtp.Verdict;
import dev.postbus.smtp.internal.SessionOpener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes a relay that is out when no lane does. A lane holding a job probes the relay once its
 * backoff ends; when no job is left in hand (handed back in a rebalance, dead-lettered, or a retry
 * while every partition is paused), nothing would probe it again and the worker would stay paused
 * for good. So, {@link #GRACE} after a relay's backoff ended with no lane probing it, this one
 * thread takes the probe ({@link Relay#take}) and opens a session as a send would (connect, EHLO,
 * STARTTLS, AUTH), then says QUIT. The relay is back when the session opens (its failure count
 * kept: a relay refusing every MAIL opens sessions fine, and only a job's answer resets its
 * backoff), out again when it refuses us as a send's relay-level failure would take it out, or when
 * the open throws (a failed probe, as a lane's open counts it), and its probe is abandoned on any
 * other outcome: the probe ends exactly once, whatever throws.
 */
public final class RelayProber implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  /** How long after a relay's backoff ended a lane holding a job may still probe it first. */
  static final Duration GRACE = Duration.ofSeconds(1);

  /** How often the prober looks for a relay due. */
  static final Duration EVERY = Duration.ofMillis(250);

  /**
   * Opens a session to a relay as a send would, then closes it: null when the relay answered, else
   * what failed.
   */
  public interface Dial {
    SendOutcome open(SmtpConfig relay);
  }

  /** Connect, EHLO, STARTTLS and AUTH with the relay's own settings, then QUIT. */
  public static final Dial SESSION =
      smtp -> {
        try {
          new SessionOpener(smtp).open().quit();
          return null;
        } catch (SessionOpener.OpenFailed e) {
          return e.outcome();
        }
      };

  private final Relays relays;
  private final Clock clock;
  private final Dial dial;
  private final ReplyClassifier classifier;
  private ScheduledExecutorService thread;
  private ExecutorService probes; // one thread per relay at most: a black hole delays no other
  private boolean closed;

  public RelayProber(Relays relays, Clock clock, Dial dial, ReplyClassifier classifier) {
    this.relays = relays;
    this.clock = clock;
    this.dial = dial;
    this.classifier = classifier;
  }

  /**
   * Starts looking every {@link #EVERY}, on a daemon thread of {@code threads}; each probe runs on
   * a thread of its own (as many as there are relays at most), so a relay that is black-holed
   * (connect or greeting timeouts) delays no other relay's probe. Two probes of one relay never run
   * at once: only one caller takes a relay's probe ({@link Relay#take}).
   */
  public synchronized void start(ThreadFactory threads) {
    if (thread == null && !closed) {
      probes = Executors.newFixedThreadPool(Math.max(1, relays.all().size()), threads);
      thread = Executors.newSingleThreadScheduledExecutor(threads);
      thread.scheduleWithFixedDelay(
          this::probeDue, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Probes each relay whose backoff ended more than {@link #GRACE} ago, with no lane probing. */
  void probeDue() {
    for (Relay r : relays.all()) {
      if (closed()) {
        return; // close does not interrupt a dial's socket I/O; no relay is probed after it
      }
      Instant now = clock.instant();
      Instant outUntil = r.outUntil();
      if (outUntil != null && now.isAfter(outUntil.plus(GRACE)) && r.take(now)) {
        run(r);
      }
    }
  }

  /** On a thread of its own once started (inline before: tests), the probe of {@code r}, taken. */
  private void run(Relay r) {
    ExecutorService on;
    synchronized (this) {
      on = probes;
    }
    if (on == null) {
      probe(r);
      return;
    }
    try {
      on.execute(() -> probe(r));
    } catch (RejectedExecutionException closing) {
      r.abandonProbe();
    }
  }

  /** One probe of {@code r}, taken: it ends exactly once (abandoned unless the relay was told). */
  private void probe(Relay r) {
    try {
      SendOutcome failure = dial.open(r.config().smtp());
      if (failure == null) {
        r.connected(); // up, its failure count kept: only a job's answer resets the backoff
      } else if (relayProblem(failure)) {
        r.failed(problem(failure));
      } else {
        log.info("relay {}: probe inconclusive ({})", r.name(), failure.getClass().getSimpleName());
      }
    } catch (RuntimeException | Error e) {
      // as a lane's session open does: a failed probe, so the backoff grows (not a retry at once)
      log.warn("relay {}: unexpected error while probing it", r.name(), TraceOnly.of(e));
      r.failed("probe failed: " + e.getClass().getName());
    } finally {
      r.abandonProbe(); // does nothing once the relay was told
    }
  }

  /** As a send's: unreachable, or a permanent refusal of us (TLS, authentication). */
  private boolean relayProblem(SendOutcome outcome) {
    Verdict v = classifier.classify(outcome);
    return v.relayLevel()
        && (outcome instanceof SendOutcome.ConnectFailed || v.outcomeClass() == OutcomeClass.FATAL);
  }

  private static String problem(SendOutcome outcome) {
    if (outcome instanceof SendOutcome.ConnectFailed f) {
      return f.problem();
    }
    if (outcome instanceof SendOutcome.RelayRefused r) {
      return r.problem() + (r.reply() == null ? "" : " (" + r.reply().codes() + ")");
    }
    return outcome.getClass().getSimpleName();
  }

  private synchronized boolean closed() {
    return closed;
  }

  /**
   * Stops probing: a probe under way ends (its socket's timeouts bound it), and no other relay of
   * its pass is probed. Idempotent.
   */
  @Override
  public synchronized void close() {
    closed = true;
    if (thread != null) {
      thread.shutdownNow();
      probes.shutdownNow();
    }
  }
}
