package dev.postbus.worker.delivery;

import dev.postbus.job.JobClass;
import dev.postbus.worker.dispatch.ClassTurns;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * At most N parallel sends to a recipient domain (per worker), for domains given a cap; a send to
 * several capped domains holds a place with each, taken in name order so that lanes never wait on
 * each other in a circle. Domains without a cap pass freely. When a domain's places are all held,
 * the next one free goes to a waiting transactional send before a waiting bulk one, bulk getting
 * its floor while both wait ({@link ClassTurns}).
 */
public final class DomainGate {

  /** The places one send holds; close to give them back. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  private static final Pass FREE = () -> {};

  private final Map<String, Places> caps;

  /**
   * @param caps places per domain
   * @param bulkFloor {@code classes.bulk-floor}: bulk's share of the places freed while both
   *     classes wait
   */
  public DomainGate(Map<String, Integer> caps, double bulkFloor) {
    this.caps =
        caps.entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    e -> e.getKey().toLowerCase(Locale.ROOT),
                    e -> new Places(e.getValue(), bulkFloor)));
  }

  /** Waits for a place with every capped domain among the recipients, in the job's class's turn. */
  public Pass enter(Address[] recipients, JobClass jobClass) throws InterruptedException {
    if (caps.isEmpty()) {
      return FREE;
    }
    TreeSet<String> domains = new TreeSet<>();
    for (Address a : recipients) {
      String address = a instanceof InternetAddress ia ? ia.getAddress() : a.toString();
      String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
      if (caps.containsKey(domain)) {
        domains.add(domain);
      }
    }
    if (domains.isEmpty()) {
      return FREE;
    }
    List<Places> held = new ArrayList<>();
    try {
      for (String d : domains) {
        Places p = caps.get(d);
        p.take(jobClass);
        held.add(p);
      }
    } catch (InterruptedException e) {
      held.forEach(Places::giveBack);
      throw e;
    }
    return () -> held.forEach(Places::giveBack);
  }

  /** One domain's places; {@code free} is guarded by the turns' lock. */
  private static final class Places {
    private final ClassTurns turns;
    private int free;

    Places(int places, double bulkFloor) {
      this.free = places;
      this.turns = new ClassTurns(bulkFloor);
    }

    void take(JobClass jobClass) throws InterruptedException {
      turns.take(jobClass, this::takeOne, null, () -> false);
    }

    /** Under the turns' lock. */
    private boolean takeOne() {
      if (free == 0) {
        return false;
      }
      free--;
      return true;
    }

    void giveBack() {
      turns.changeAndWake(() -> free++);
    }
  }
}
