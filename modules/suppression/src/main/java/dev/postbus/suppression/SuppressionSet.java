package dev.postbus.suppression;

import com.carrotsearch.hppc.LongLongHashMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The suppression list as a worker keeps it: a primitive map from each address's 64-bit hash
 * ({@link Addresses#hash}) to one packed long (expiry in seconds, source, and the index of its
 * reason in a small table of distinct reasons). Sixteen bytes a slot, so a million addresses take
 * about 32 MiB (docs/benchmarks.md has the measured figure). Addresses themselves are not kept: the
 * worker only needs to know whether one is on the list, and why.
 *
 * <p>Safe for many readers (the sender lanes) and one writer (the topic follower).
 */
public final class SuppressionSet {

  /** A suppressed address: where its entry came from and why. */
  public record Match(Source source, String reason) {}

  /** Distinct reasons kept; beyond it, entries share {@link #UNKEPT_REASON}. */
  static final int MAX_REASONS = 1 << 16;

  static final String UNKEPT_REASON =
      "on the suppression list (reason not kept in memory; see `postbus suppressions check`)";

  private static final int REASON_BITS = 24;
  private static final int SOURCE_BITS = 2;
  private static final long REASON_MASK = (1L << REASON_BITS) - 1;

  private final LongLongHashMap entries;
  private final List<String> reasons = new ArrayList<>();
  private final Map<String, Integer> reasonIds = new HashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  public SuppressionSet() {
    this(1024);
  }

  /** Sized for {@code expected} entries without growing. */
  public SuppressionSet(int expected) {
    this.entries = new LongLongHashMap(expected);
    reasons.add(UNKEPT_REASON);
  }

  /** Adds or replaces the entry of {@code s.address()}. */
  public void add(Suppression s) {
    long key = Addresses.hash(s.address());
    lock.writeLock().lock();
    try {
      entries.put(key, pack(s));
    } finally {
      lock.writeLock().unlock();
    }
  }

  public void remove(String address) {
    long key = Addresses.hash(address);
    lock.writeLock().lock();
    try {
      entries.remove(key);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The entry of {@code address} when it is suppressed at {@code now}, else null. */
  public Match find(String address, Instant now) {
    long key = Addresses.hash(address);
    long packed;
    lock.readLock().lock();
    try {
      if (!entries.containsKey(key)) {
        return null;
      }
      packed = entries.get(key);
    } finally {
      lock.readLock().unlock();
    }
    long expiry = packed >>> (REASON_BITS + SOURCE_BITS);
    if (expiry != 0 && now.getEpochSecond() >= expiry) {
      return null;
    }
    Source source = Source.values()[(int) ((packed >>> REASON_BITS) & 3)];
    String reason;
    synchronized (reasons) {
      reason = reasons.get((int) (packed & REASON_MASK));
    }
    return new Match(source, reason);
  }

  /** Entries held, expired ones included until they are removed from the topic. */
  public int size() {
    lock.readLock().lock();
    try {
      return entries.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  private long pack(Suppression s) {
    long expiry = s.expiresAt() == null ? 0 : Math.max(1, s.expiresAt().getEpochSecond());
    return (expiry << (REASON_BITS + SOURCE_BITS))
        | ((long) s.source().ordinal() << REASON_BITS)
        | reasonId(s.reason());
  }

  private int reasonId(String reason) {
    synchronized (reasons) {
      Integer id = reasonIds.get(reason);
      if (id != null) {
        return id;
      }
      if (reasons.size() >= MAX_REASONS) {
        return 0;
      }
      reasons.add(reason);
      reasonIds.put(reason, reasons.size() - 1);
      return reasons.size() - 1;
    }
  }
}
