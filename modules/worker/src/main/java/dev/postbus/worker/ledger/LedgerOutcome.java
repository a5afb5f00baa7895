package dev.postbus.worker.ledger;

/**
 * How the record an entry names was finished (field 4 of {@link LedgerCodec}), for idempotent
 * publishing: the {@code duplicate} event names it. A conflict (the job id reused for other
 * content) is finished too, but never stands for the id: a later copy is judged against the first.
 */
public enum LedgerOutcome {
  /** Written by a worker before idempotent publishing, or a value it does not know. */
  UNKNOWN(0),
  /** The relay accepted it (for some recipients at least, with nothing else carrying it on). */
  DELIVERED(1),
  /** A dead letter holds it. */
  DEAD_LETTERED(2),
  /** A record on the retry ladder carries it on (retry, schedule, throttle). */
  RETRY(3),
  /** Dead-lettered as a conflict: its id was finished before with other content. */
  CONFLICT(4);

  private final int wire;

  LedgerOutcome(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  public String label() {
    return switch (this) {
      case UNKNOWN -> "unknown";
      case DELIVERED -> "delivered";
      case DEAD_LETTERED -> "dead-lettered";
      case RETRY -> "retry";
      case CONFLICT -> "conflict";
    };
  }

  public static LedgerOutcome fromWire(int wire) {
    for (LedgerOutcome o : values()) {
      if (o.wire == wire) {
        return o;
      }
    }
    return UNKNOWN;
  }
}
