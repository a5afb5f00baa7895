package dev.postbus.worker.consume;

import dev.postbus.worker.time.Ticker;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the rebalance work done inside one poll took, against the consumer's
 * max.poll.interval.ms. The rebalance callbacks run inside poll, and share one budget: a member
 * that does not poll again within that interval is evicted from the group. With the
 * cooperative-sticky assignor Kafka calls the release (the drain of in-flight sends, the
 * synchronous commit) and the assignment (the committed offsets, the send ledger's takeover read,
 * the dedupe index's, the share's partition counts) back to back inside one poll: the time counts
 * from the first callback since the loop last polled to the end of the assignment. Work that took
 * half the interval or more is logged as a warning, naming its longest step and what to change
 * (only the settings of the reads the assignments make: {@link Reads}); work of the interval or
 * more says the member was likely evicted (Kafka's poll timer expires at the interval). Consumer
 * thread only; {@link #lastTook} from any.
 */
final class RebalanceTime {

  private static final Logger log = LoggerFactory.getLogger(ConsumeLoop.class);

  /** The timed steps of a rebalance, as the warning names them. */
  enum Step {
    DRAIN("the drain of in-flight sends"),
    COMMIT("the release's commit"),
    COMMITTED("the committed offsets"),
    LEDGER("the send ledger's read"),
    DEDUPE("the dedupe index's read"),
    SHARE("the share report");

    private final String what;

    Step(String what) {
      this.what = what;
    }
  }

  private static final String DRAIN_TO_DO =
      "; a release waits up to worker.drain-timeout for its in-flight sends: lower"
          + " worker.drain-timeout (a send still running at its end is left uncommitted and sent"
          + " again by the next owner)";

  /** The assignment's advice with the send ledger and the dedupe index both read. */
  private static final String LEDGER_AND_DEDUPE_TO_DO =
      "; an assignment reads the committed offsets, then the send ledger (from each commit's mark,"
          + " or ledger.window back without one) and the dedupe index (dedupe.window back):"
          + " shorten dedupe.window (or ledger.window), give the ledger topic more partitions";

  /** The assignment's advice with the send ledger read and dedupe off. */
  private static final String LEDGER_TO_DO =
      "; an assignment reads the committed offsets, then the send ledger (from each commit's mark,"
          + " or ledger.window back without one): shorten ledger.window, give the ledger topic"
          + " more partitions";

  private static final String LIMIT_TO_DO = "; or raise kafka.client.max.poll.interval.ms";

  private static final long IDLE = Long.MIN_VALUE;

  /** What an assignment reads besides the committed offsets and the share's partition counts. */
  interface Reads {
    /** True when it reads the send ledger (ledger.enabled). */
    boolean ledger();

    /** True when it reads the dedupe index (the ledger on and dedupe.window above 0). */
    boolean dedupe();
  }

  private final Ticker ticker;
  private final Duration pollInterval;
  private final Reads reads;
  private final Map<Step, Long> steps = new EnumMap<>(Step.class);
  private long start = IDLE; // the first callback since the last poll started; IDLE: none yet
  private int moved; // partitions released, lost or assigned since then
  private volatile Duration lastTook = Duration.ZERO;

  /**
   * @param ticker the consume loop's source of elapsed time
   * @param pollInterval the consumer's max.poll.interval.ms (positive: {@link LoopTimes} checks it)
   * @param reads what the assignments read, asked when a warning is logged
   */
  RebalanceTime(Ticker ticker, Duration pollInterval, Reads reads) {
    this.ticker = ticker;
    this.pollInterval = pollInterval;
    this.reads = reads;
  }

  /** The loop's ticker now. */
  long now() {
    return ticker.read();
  }

  /** The loop calls poll: a new budget starts. */
  void pollStarted() {
    start = IDLE;
    moved = 0;
    steps.clear();
  }

  /**
   * A rebalance callback starts, moving {@code partitions}; the first since the poll starts the
   * time.
   */
  void callback(int partitions) {
    if (start == IDLE) {
      start = ticker.read();
    }
    moved += partitions;
  }

  /** Runs {@code step}, adding its time to {@code s}'s. */
  void timed(Step s, Runnable step) {
    long began = ticker.read();
    try {
      step.run();
    } finally {
      steps.merge(s, ticker.read() - began, Long::sum);
    }
  }

  /**
   * An assignment callback has ended: judges the time since the first callback of this poll, and
   * keeps it as {@link #lastTook} unless no partition moved (a cooperative rebalance's empty round
   * would hide the slow one before it).
   */
  void assignmentEnded() {
    Duration took = Duration.ofNanos(ticker.read() - start);
    if (moved > 0) {
      lastTook = took;
    }
    if (took.multipliedBy(2).compareTo(pollInterval) < 0) {
      return;
    }
    String verdict =
        took.compareTo(pollInterval) >= 0
            ? "the consumer's max.poll.interval.ms ({} ms) or more: this worker was likely evicted"
                + " from the group, and its partitions will be reassigned"
            : "half or more of the consumer's max.poll.interval.ms ({} ms): a member that does not"
                + " poll again within it is evicted from the group";
    Optional<Map.Entry<Step, Long>> longest =
        steps.entrySet().stream().max(Map.Entry.comparingByValue());
    log.warn(
        "the rebalance work of one poll ({} partitions moved) took {} ms, "
            + verdict
            + "; the longest step was {}"
            + whatToDo(longest.map(Map.Entry::getKey).orElse(null)),
        moved,
        took.toMillis(),
        pollInterval.toMillis(),
        longest
            .map(e -> e.getKey().what + " (" + Duration.ofNanos(e.getValue()).toMillis() + " ms)")
            .orElse("none of those timed"));
  }

  /**
   * What to change, the longest step's remedy first: the drain's, or the assignment's reads'. Only
   * the settings of what the assignments read are named: with the send ledger off they read nothing
   * of ours to shorten (only the partition counts), with dedupe off no dedupe index.
   */
  private String whatToDo(Step longest) {
    String assignment =
        !reads.ledger() ? "" : reads.dedupe() ? LEDGER_AND_DEDUPE_TO_DO : LEDGER_TO_DO;
    return (longest == Step.DRAIN ? DRAIN_TO_DO + assignment : assignment + DRAIN_TO_DO)
        + LIMIT_TO_DO;
  }

  /**
   * How long the last rebalance work that moved partitions took, up to the end of its assignment
   * (zero before the first).
   */
  Duration lastTook() {
    return lastTook;
  }
}
