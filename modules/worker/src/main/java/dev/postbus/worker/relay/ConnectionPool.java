package dev.postbus.worker.relay;

import dev.postbus.smtp.ConnectionState;
import dev.postbus.smtp.SmtpConnection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The persistent connections of one relay, lent to one sender lane at a time. At most {@link
 * #limit} are in use or open at once: the relay's connections, or fewer when the group's maximum of
 * connections to the relay is divided among the workers. The most recently returned connection is
 * lent first, so open connections are reused and the others stay closed.
 */
public final class ConnectionPool {

  private static final Runnable NO_GATE = () -> {};

  /**
   * One connection of the pool; while lent, the borrowing lane's ledger gate runs before each final
   * dot on it.
   */
  private static final class Entry {
    private final SmtpConnection connection;
    private volatile Runnable gate = NO_GATE;

    private Entry(SmtpConnection connection) {
      this.connection = connection;
      connection.beforeFinalDot(() -> gate.run());
    }
  }

  /**
   * One loan of one connection to one lane. It ends exactly once: the first {@link #close} gives
   * the connection back, a second does nothing, and a lease that has ended can neither give back
   * nor reach a connection that another lane may hold by now (as HikariCP's pool entries and
   * proxies are ended).
   */
  public static final class Lease implements AutoCloseable {
    private static final java.lang.invoke.VarHandle ENDED;

    static {
      try {
        ENDED =
            java.lang.invoke.MethodHandles.lookup()
                .findVarHandle(Lease.class, "ended", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final ConnectionPool pool;
    private final Entry entry;

    @SuppressWarnings("unused") // through ENDED
    private volatile boolean ended;

    private Lease(ConnectionPool pool, Entry entry) {
      this.pool = pool;
      this.entry = entry;
    }

    public SmtpConnection connection() {
      if (ended) {
        throw new IllegalStateException("this lease of " + entry.connection + " has ended");
      }
      return entry.connection;
    }

    /** Gives the connection back to the pool, the first time only. */
    @Override
    public void close() {
      if (ENDED.compareAndSet(this, false, true)) {
        entry.gate = NO_GATE;
        pool.release(entry);
      }
    }
  }

  private final List<Entry> all = new ArrayList<>();
  private final ArrayDeque<Entry> free = new ArrayDeque<>();

  /**
   * Idle connections above a lowered limit, taken out of {@link #free} until a lane closes them.
   */
  private final List<Entry> toClose = new ArrayList<>();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition returned = lock.newCondition();
  private int inUse;
  private volatile int limit;
  private final Consumer<SmtpConnection> disconnect;

  public ConnectionPool(List<SmtpConnection> connections) {
    this(connections, SmtpConnection::disconnect);
  }

  /**
   * @param disconnect closes a surplus connection (tests: one that throws)
   */
  ConnectionPool(List<SmtpConnection> connections, Consumer<SmtpConnection> disconnect) {
    this.disconnect = disconnect;
    connections.forEach(c -> all.add(new Entry(c)));
    free.addAll(all);
    limit = all.size();
  }

  /**
   * A free connection, waiting up to {@code wait} for one; null when none came free. {@code gate}
   * runs on the lane's thread just before each final dot sent on it.
   */
  public Lease borrow(Duration wait, Runnable gate) throws InterruptedException {
    closeSurplus();
    Entry p;
    lock.lock();
    try {
      long nanos = wait.toNanos();
      while (free.isEmpty() || inUse >= limit) {
        if (nanos <= 0) {
          return null;
        }
        nanos = returned.awaitNanos(nanos);
      }
      p = free.pollLast();
      inUse++;
    } finally {
      lock.unlock();
    }
    p.gate = gate;
    return new Lease(this, p);
  }

  /**
   * Gives {@code p} back, closing it first when more are open than the limit allows. The slot is
   * freed whatever the close throws (the throw then reaches the caller): a lease ends once, and a
   * slot left counted in use would be lost to the pool for good.
   */
  private void release(Entry p) {
    try {
      if (limit < all.size() && surplus()) { // only while a share of a group maximum is in force
        disconnect.accept(p.connection);
      }
    } finally {
      putBack(p, false);
    }
  }

  /** Frees {@code p}'s slot: {@code p} is lent next, or last when {@code lentLast}. */
  private void putBack(Entry p, boolean lentLast) {
    lock.lock();
    try {
      if (lentLast) {
        free.addFirst(p);
      } else {
        free.addLast(p);
      }
      inUse--;
      returned.signal();
    } finally {
      lock.unlock();
    }
  }

  /** True when the connections open besides the one being returned already reach the limit. */
  private boolean surplus() {
    lock.lock();
    try {
      int open = inUse - 1;
      for (Entry f : free) {
        if (isOpen(f.connection.state())) {
          open++;
        }
      }
      return open >= limit;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Lends at most {@code n} connections at once (at least one). Idle connections above it are set
   * aside, not lent, and closed by the next lane that borrows or looks for idle ones: this is
   * called in Kafka's rebalance callbacks, on the consumer thread, where a QUIT to a relay that
   * does not answer it would hold the whole rebalance.
   */
  public void limit(int n) {
    int bounded = Math.max(1, Math.min(n, all.size()));
    lock.lock();
    try {
      limit = bounded;
      int open = inUse;
      List<Entry> closing = new ArrayList<>();
      for (var it = free.descendingIterator(); it.hasNext(); ) { // the next to be lent first
        Entry f = it.next();
        if (isOpen(f.connection.state()) && ++open > limit) {
          closing.add(f);
        }
      }
      free.removeAll(closing);
      inUse += closing.size();
      toClose.addAll(closing);
      returned.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the connections {@link #limit} set aside; on a lane's thread. */
  private void closeSurplus() {
    List<Entry> closing;
    lock.lock();
    try {
      if (toClose.isEmpty()) {
        return;
      }
      closing = new ArrayList<>(toClose);
      toClose.clear();
    } finally {
      lock.unlock();
    }
    Throwable failed = null;
    for (Entry p : closing) { // each is freed, whatever closing one of them throws
      try {
        disconnect.accept(p.connection);
      } catch (RuntimeException | Error e) {
        if (failed == null) {
          failed = e;
        } else {
          failed.addSuppressed(e);
        }
      } finally {
        putBack(p, true);
      }
    }
    if (failed instanceof RuntimeException e) {
      throw e;
    }
    if (failed instanceof Error e) {
      throw e;
    }
  }

  public int limit() {
    return limit;
  }

  /** Closes free connections idle past the idle timeout; called by lanes with nothing to do. */
  public void closeIdle() {
    closeSurplus();
    for (Entry p : all) {
      if (tryBorrow(p)) {
        try {
          p.connection.closeIfIdle();
        } finally {
          release(p);
        }
      }
    }
  }

  private boolean tryBorrow(Entry p) {
    lock.lock();
    try {
      if (!free.remove(p)) {
        return false;
      }
      inUse++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Closes every connection (QUIT when idle); for shutdown, once the lanes have stopped. */
  public void closeAll() {
    all.forEach(p -> p.connection.close());
  }

  public int size() {
    return all.size();
  }

  /** Connections in state {@code s} now. */
  public int count(ConnectionState s) {
    int n = 0;
    for (Entry p : all) {
      if (p.connection.state() == s) {
        n++;
      }
    }
    return n;
  }

  public long opens() {
    return all.stream().mapToLong(p -> p.connection.opens()).sum();
  }

  private static boolean isOpen(ConnectionState s) {
    return s == ConnectionState.IDLE
        || s == ConnectionState.SENDING
        || s == ConnectionState.CONNECTING;
  }
}
