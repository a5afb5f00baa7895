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
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * At most N parallel sends to a recipient domain (per worker), for domains given a cap; a send to
 * several capped domains holds a place with each, and holds none while it waits for one (so lanes
 * never wait on each other in a circle, nor keep a domain's place while queued at another). Domains
 * without a cap pass freely. When a domain's places are all held, the next one free goes to a
 * waiting transactional send before a waiting bulk one, bulk getting its floor while both wait, and
 * first come first served within a class ({@link ClassTurns}).
 */
public final class DomainGate {

  /** The places one send holds; close to give them back. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();

    /**
     * Whether a transactional send waits for a place this send holds: then this send, whatever its
     * class, takes its rate permits at transactional priority (it is in that send's way).
     */
    boolean contended();
  }

  private static final Pass FREE = new Held(List.of());

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

  /**
   * Waits for a place with every capped domain among the recipients, in the job's class's turn;
   * never gives up.
   */
  public Pass enter(Address[] recipients, JobClass jobClass) throws InterruptedException {
    return enter(recipients, jobClass, () -> false);
  }

  /**
   * Waits for a place with every capped domain among the recipients, in the job's class's turn;
   * null when {@code giveUp} said so first (looked at about every {@link
   * ClassTurns#GIVE_UP_CHECK}). A send to several capped domains never holds a place while it
   * waits: it takes the places free at once, and where one is not, gives back what it holds and
   * waits its turn there, then tries the others again.
   */
  public Pass enter(Address[] recipients, JobClass jobClass, BooleanSupplier giveUp)
      throws InterruptedException {
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
    List<Places> places = domains.stream().map(caps::get).toList();
    Places waited = null; // the one place taken after waiting for it
    while (true) {
      List<Places> held = new ArrayList<>();
      if (waited != null) {
        held.add(waited);
      }
      Places busy = null;
      for (Places p : places) {
        if (p != waited) {
          if (!p.takeNow()) {
            busy = p;
            break;
          }
          held.add(p);
        }
      }
      if (busy == null) {
        return new Held(held);
      }
      held.forEach(Places::giveBack);
      if (!busy.take(jobClass, giveUp)) {
        return null;
      }
      waited = busy;
    }
  }

  /** The places one send holds. */
  private record Held(List<Places> places) implements Pass {
    @Override
    public void close() {
      places.forEach(Places::giveBack);
    }

    @Override
    public boolean contended() {
      for (Places p : places) {
        if (p.turns.transactionalWaiting()) {
          return true;
        }
      }
      return false;
    }
  }

  /** One domain's places; {@code free} is guarded by the turns' lock. */
  private static final class Places {
    private final ClassTurns turns;
    private int free;

    Places(int places, double bulkFloor) {
      this.free = places;
      this.turns = new ClassTurns(bulkFloor);
    }

    boolean take(JobClass jobClass, BooleanSupplier giveUp) throws InterruptedException {
      return turns.take(() -> jobClass, this::takeOne, null, giveUp);
    }

    /** A place if one is free and nobody waits for one; never waits. */
    boolean takeNow() {
      return turns.takeNow(this::takeOne);
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
