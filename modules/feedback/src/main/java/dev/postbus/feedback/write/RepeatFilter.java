package dev.postbus.feedback.write;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The provider event ids this replica has written, to drop repeats: bounded (oldest forgotten
 * first) and forgotten after a window. An id is claimed while its records are being written, so two
 * copies of one event arriving at once are not both written; a failed write releases it, so the
 * provider's retry is written.
 */
public final class RepeatFilter {

  /** What {@link #claim} found. */
  public enum Claim {
    /** Not seen: the caller writes it, then calls {@link #done} or {@link #release}. */
    NEW,
    /** Another request is writing it now. */
    IN_FLIGHT,
    /** Written before, within the window. */
    SEEN
  }

  private record Entry(long at, boolean done) {}

  private final int maxEntries;
  private final long windowMillis;
  private final Clock clock;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  public RepeatFilter(int maxEntries, Duration window, Clock clock) {
    this.maxEntries = maxEntries;
    this.windowMillis = window.toMillis();
    this.clock = clock;
  }

  public synchronized Claim claim(String id) {
    long now = clock.millis();
    expire(now);
    Entry e = entries.get(id);
    if (e != null) {
      return e.done() ? Claim.SEEN : Claim.IN_FLIGHT;
    }
    entries.put(id, new Entry(now, false));
    while (entries.size() > maxEntries) {
      Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
      it.next();
      it.remove();
    }
    return Claim.NEW;
  }

  public synchronized void done(String id) {
    if (entries.containsKey(id)) {
      entries.put(id, new Entry(entries.get(id).at(), true));
    }
  }

  public synchronized void release(String id) {
    Entry e = entries.get(id);
    if (e != null && !e.done()) {
      entries.remove(id);
    }
  }

  public synchronized int size() {
    return entries.size();
  }

  private void expire(long now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Entry e = it.next().getValue();
      if (now - e.at() < windowMillis) {
        return; // insertion order: the rest are younger
      }
      it.remove();
    }
  }
}
