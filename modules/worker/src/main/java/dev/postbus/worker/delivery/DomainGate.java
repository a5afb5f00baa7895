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
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * At most N parallel sends to a recipient domain (per worker), for domains given a cap; a send to
 * several capped domains holds a place with each, taken in the domains' order (so lanes never wait
 * on each other in a circle). Domains without a cap pass freely. When a domain's places are all
 * held, the next one free goes to a waiting transactional send before a waiting bulk one, bulk
 * getting its floor while both wait, and first come first served within a class ({@link
 * ClassTurns}).
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
   * ClassTurns#GIVE_UP_CHECK}), every place taken given back. A send to several capped domains
   * takes their places in the domains' order, keeping those it has while it waits its turn at the
   * next: lanes taking places in one order never wait on each other in a circle, and a busy domain
   * cannot make it give back what it waited for. While it waits, a transactional send waiting for a
   * place it holds raises it to transactional (its place comes sooner, and is given back sooner).
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
    List<Places> held = new ArrayList<>(domains.size());
    boolean entered = false;
    try {
      for (String domain : domains) {
        Held sofar = new Held(List.copyOf(held));
        if (!caps.get(domain).take(() -> raised(jobClass, sofar), giveUp)) {
          return null;
        }
        held.add(caps.get(domain));
      }
      entered = true;
      return new Held(List.copyOf(held));
    } finally {
      if (!entered) {
        held.forEach(Places::giveBack);
      }
    }
  }

  /**
   * The class a send holding {@code held} waits in: transactional when a transactional send waits
   * for one of its places. Read under the lock of a domain after those held (domains are taken in
   * order), so domain locks are only ever taken from a later domain's to an earlier one's.
   */
  private static JobClass raised(JobClass jobClass, Held held) {
    return jobClass == JobClass.BULK && held.contended() ? JobClass.TRANSACTIONAL : jobClass;
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

    boolean take(Supplier<JobClass> jobClass, BooleanSupplier giveUp) throws InterruptedException {
      return turns.take(jobClass, this::takeOne, null, giveUp);
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
