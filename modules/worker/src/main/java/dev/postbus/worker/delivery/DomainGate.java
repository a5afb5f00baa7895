package dev.postbus.worker.delivery;

import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * At most N parallel sends to a recipient domain (per worker), for domains given a cap; a send to
 * several capped domains holds a place with each, taken in name order so that lanes never wait on
 * each other in a circle. Domains without a cap pass freely.
 */
public final class DomainGate {

  /** The places one send holds; close to give them back. */
  public interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  private static final Pass FREE = () -> {};

  private final Map<String, Semaphore> caps;

  public DomainGate(Map<String, Integer> caps) {
    this.caps =
        caps.entrySet().stream()
            .collect(
                Collectors.toUnmodifiableMap(
                    e -> e.getKey().toLowerCase(Locale.ROOT),
                    e -> new Semaphore(e.getValue(), true)));
  }

  /** Waits for a place with every capped domain among the recipients. */
  public Pass enter(Address[] recipients) throws InterruptedException {
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
    List<Semaphore> held = new ArrayList<>();
    try {
      for (String d : domains) {
        Semaphore s = caps.get(d);
        s.acquire();
        held.add(s);
      }
    } catch (InterruptedException e) {
      held.forEach(Semaphore::release);
      throw e;
    }
    return () -> held.forEach(Semaphore::release);
  }
}
