package dev.postbus.console;

import dev.postbus.replay.DeadLetter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Where the dead-letter table's pages start, per filter, so a page does not read the topic again
 * when nothing changed. Rows are in a fixed order: by partition, then by offset. For each filter it
 * keeps the topic's beginning and end offsets at the last read, the matches per partition, and a
 * checkpoint (partition, offset, matches before it) about every 10 pages: a few numbers, never a
 * dead letter. A page is read from the nearest checkpoint before it; a topic that grew is read only
 * from the old end offsets on; a topic whose beginning moved (retention deleted records) or that
 * shrank (recreated) is read again whole. At most {@code entries} filters (least recently used
 * forgotten first), each with at most {@link #CHECKPOINTS} checkpoints.
 */
final class PageIndex {

  /** The most checkpoints one filter keeps: beyond, every other one is dropped. */
  static final int CHECKPOINTS = 1024;

  /** Pages between checkpoints, at first. */
  static final int PAGES_PER_CHECKPOINT = 10;

  /** Reads a partition of the dead-letter topic, as it is at the moment. */
  interface Source {
    /** The first offset of each partition (indexed by partition). */
    long[] begin();

    /** The end offset of each partition (indexed by partition). */
    long[] end();

    /** Each record of {@code partition} from {@code from} up to {@code to}, until false. */
    void read(int partition, long from, long to, Predicate<DeadLetter> each);
  }

  /** A page's rows, how many dead letters match in all and how many there are. */
  record Page<R>(List<R> rows, long matched, long records) {}

  /** The first match at or after this position is the match number {@code before}. */
  record Checkpoint(int partition, long offset, long before) {}

  /** What one filter's last read learned. */
  record Entry(
      long[] begin,
      long[] end,
      long[] matched,
      long records,
      long interval,
      List<Checkpoint> marks) {

    long total() {
      return Arrays.stream(matched).sum();
    }

    boolean usableFor(long[] begin, long[] end) {
      if (!Arrays.equals(this.begin, begin) || this.end.length != end.length) {
        return false;
      }
      for (int p = 0; p < end.length; p++) {
        if (end[p] < this.end[p]) {
          return false;
        }
      }
      return true;
    }
  }

  private final int pageSize;
  private final Map<String, Entry> entries;

  PageIndex(int pageSize, int maxEntries) {
    if (pageSize < 1 || maxEntries < 1) {
      throw new IllegalArgumentException("page size and entries must be at least 1");
    }
    this.pageSize = pageSize;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /**
   * The page of matches starting at match number {@code skip}. {@code key}: the filter's stable
   * text, or null for a filter that must not be cached (one that moves with the clock).
   */
  <R> Page<R> page(
      String key,
      Predicate<DeadLetter> filter,
      long skip,
      Source source,
      Function<DeadLetter, R> row) {
    long[] begin = source.begin();
    long[] end = source.end();
    Entry entry = key == null ? null : get(key);
    if (entry == null || !entry.usableFor(begin, end)) {
      Scan<R> scan = new Scan<>(begin, end, pageSize, skip, row);
      for (int p = 0; p < end.length; p++) {
        scan.partition(p, filter, source);
      }
      Entry built = scan.entry();
      put(key, built);
      return new Page<>(scan.rows, built.total(), built.records());
    }
    if (!Arrays.equals(entry.end(), end)) {
      entry = grow(entry, end, filter, source);
      put(key, entry);
    }
    return read(entry, filter, skip, source, row);
  }

  /** The entry with the records after its end offsets counted, up to {@code end}. */
  private static Entry grow(Entry old, long[] end, Predicate<DeadLetter> filter, Source source) {
    int n = end.length;
    long[] matched = old.matched().clone();
    long[] shift = new long[n]; // new matches in the partitions before each one
    List<Checkpoint> marks = new ArrayList<>();
    long newBefore = 0;
    long[] records = {old.records()};
    for (int p = 0; p < n; p++) {
      shift[p] = newBefore;
      long oldUpTo = 0;
      for (int q = 0; q <= p; q++) {
        oldUpTo += old.matched()[q];
      }
      long[] pos = {oldUpTo + newBefore, lastBefore(old, p, shift, marks)};
      long[] added = {0};
      int partition = p;
      source.read(
          p,
          old.end()[p],
          end[p],
          d -> {
            records[0]++;
            if (filter.test(d)) {
              if (pos[0] - pos[1] >= old.interval()) {
                marks.add(new Checkpoint(partition, d.record().offset(), pos[0]));
                pos[1] = pos[0];
              }
              pos[0]++;
              added[0]++;
            }
            return true;
          });
      matched[p] += added[0];
      newBefore += added[0];
    }
    for (Checkpoint c : old.marks()) {
      marks.add(new Checkpoint(c.partition(), c.offset(), c.before() + shift[c.partition()]));
    }
    marks.sort(Comparator.comparingLong(Checkpoint::before));
    return thin(new Entry(old.begin(), end.clone(), matched, records[0], old.interval(), marks));
  }

  /** The position of the last checkpoint at or before partition {@code p}'s end, shifted. */
  private static long lastBefore(Entry old, int p, long[] shift, List<Checkpoint> added) {
    long last = Long.MIN_VALUE / 2;
    for (Checkpoint c : old.marks()) {
      if (c.partition() <= p) {
        last = Math.max(last, c.before() + shift[c.partition()]);
      }
    }
    for (Checkpoint c : added) {
      last = Math.max(last, c.before());
    }
    return last;
  }

  private <R> Page<R> read(
      Entry entry,
      Predicate<DeadLetter> filter,
      long skip,
      Source source,
      Function<DeadLetter, R> row) {
    List<R> rows = new ArrayList<>();
    long total = entry.total();
    Checkpoint from = null;
    for (Checkpoint c : entry.marks()) {
      if (c.before() <= skip) {
        from = c;
      }
    }
    if (skip >= total || from == null) {
      return new Page<>(rows, total, entry.records());
    }
    long[] pos = {from.before()};
    for (int p = from.partition(); p < entry.end().length && rows.size() < pageSize; p++) {
      source.read(
          p,
          p == from.partition() ? from.offset() : entry.begin()[p],
          entry.end()[p],
          d -> {
            if (filter.test(d)) {
              if (pos[0] >= skip) {
                rows.add(row.apply(d));
              }
              pos[0]++;
            }
            return rows.size() < pageSize;
          });
    }
    return new Page<>(rows, total, entry.records());
  }

  /** Every other checkpoint dropped while there are too many. */
  private static Entry thin(Entry e) {
    List<Checkpoint> marks = e.marks();
    long interval = e.interval();
    while (marks.size() > CHECKPOINTS) {
      List<Checkpoint> half = new ArrayList<>();
      for (int i = 0; i < marks.size(); i += 2) {
        half.add(marks.get(i));
      }
      marks = half;
      interval *= 2;
    }
    return new Entry(e.begin(), e.end(), e.matched(), e.records(), interval, List.copyOf(marks));
  }

  private synchronized Entry get(String key) {
    return entries.get(key);
  }

  private synchronized void put(String key, Entry entry) {
    if (key != null) {
      entries.put(key, entry);
    }
  }

  synchronized int size() {
    return entries.size();
  }

  synchronized long checkpoints() {
    return entries.values().stream().mapToLong(e -> e.marks().size()).sum();
  }

  /** One read of the whole topic: counts, checkpoints and the page asked for. */
  private static final class Scan<R> {
    private final long[] begin;
    private final long[] end;
    private final long[] matched;
    private long interval;
    private final long skip;
    private final Function<DeadLetter, R> row;
    private final List<Checkpoint> marks = new ArrayList<>();
    final List<R> rows = new ArrayList<>();
    private long pos;
    private long records;
    private long last = Long.MIN_VALUE / 2;
    private final int pageSize;

    Scan(long[] begin, long[] end, int pageSize, long skip, Function<DeadLetter, R> row) {
      this.begin = begin;
      this.end = end;
      this.matched = new long[end.length];
      this.interval = (long) pageSize * PAGES_PER_CHECKPOINT;
      this.skip = skip;
      this.row = row;
      this.pageSize = pageSize;
    }

    void partition(int p, Predicate<DeadLetter> filter, Source source) {
      source.read(
          p,
          begin[p],
          end[p],
          d -> {
            records++;
            if (filter.test(d)) {
              if (pos - last >= interval) {
                marks.add(new Checkpoint(p, d.record().offset(), pos));
                last = pos;
                if (marks.size() > CHECKPOINTS) { // never more than that many held
                  Entry thinned = thin(new Entry(begin, end, matched, records, interval, marks));
                  marks.clear();
                  marks.addAll(thinned.marks());
                  interval = thinned.interval();
                }
              }
              if (pos >= skip && rows.size() < pageSize) {
                rows.add(row.apply(d));
              }
              pos++;
              matched[p]++;
            }
            return true;
          });
    }

    Entry entry() {
      return thin(new Entry(begin.clone(), end.clone(), matched, records, interval, marks));
    }
  }
}
