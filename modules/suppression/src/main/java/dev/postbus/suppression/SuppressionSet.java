package dev.postbus.suppression;

import com.carrotsearch.hppc.LongLongHashMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The suppression list as a worker keeps it: a primitive map from each entry's 64-bit hash ({@link
 * Addresses#hash} of the address for a global entry, {@link Addresses#scopedHash} of the address
 * and its list for a scoped one) to one packed long (expiry in seconds: 37 bits, until the year
 * 6325; source: 3 bits; and the index of its reason in a small table of distinct reasons: 24 bits).
 * Sixteen bytes a slot, so a million addresses take about 32 MiB (docs/benchmarks.md has the
 * measured figure). Addresses themselves are not kept: the worker only needs to know whether one is
 * on the list, and why.
 *
 * <p>Safe for many readers (the sender lanes) and one writer (the topic follower).
 */
public final class SuppressionSet {

  /** A suppressed address: where its entry came from, why, and its list (null: global). */
  public record Match(Source source, String reason, String list) {
    public Match(Source source, String reason) {
      this(source, reason, null);
    }
  }

  /** Distinct reasons kept; beyond it, entries share {@link #UNKEPT_REASON}. */
  static final int MAX_REASONS = 1 << 16;

  static final String UNKEPT_REASON =
      "on the suppression list (reason not kept in memory; see `postbus suppressions check`)";

  private static final int REASON_BITS = 24;
  private static final int SOURCE_BITS = 3;
  private static final long SOURCE_MASK = (1L << SOURCE_BITS) - 1;
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

  /** Adds or replaces the entry of {@code s.address()} in its scope ({@code s.list()}). */
  public void add(Suppression s) {
    long key = hash(s.address(), s.list());
    lock.writeLock().lock();
    try {
      entries.put(key, pack(s));
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes the global entry of {@code address}. */
  public void remove(String address) {
    remove(address, null);
  }

  /** Removes the entry of {@code address} scoped to {@code list} (the global one when null). */
  public void remove(String address, String list) {
    long key = hash(address, list);
    lock.writeLock().lock();
    try {
      entries.remove(key);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The global entry of {@code address} when it holds at {@code now}, else null. */
  public Match find(String address, Instant now) {
    return find(address, null, now);
  }

  /**
   * The entry that keeps {@code address} from mail of {@code list} at {@code now}: its global
   * entry, else (for a list) the entry scoped to that list; null when neither holds. Mail of no
   * list (transactional) is kept off only by a global entry.
   */
  public Match find(String address, String list, Instant now) {
    Match global = entry(Addresses.hash(address), null, now);
    if (global != null || list == null) {
      return global;
    }
    return entry(Addresses.scopedHash(address, list), list, now);
  }

  private static long hash(String address, String list) {
    return list == null ? Addresses.hash(address) : Addresses.scopedHash(address, list);
  }

  private Match entry(long key, String list, Instant now) {
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
    Source source = Source.values()[(int) ((packed >>> REASON_BITS) & SOURCE_MASK)];
    String reason;
    synchronized (reasons) {
      reason = reasons.get((int) (packed & REASON_MASK));
    }
    return new Match(source, reason, list);
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
