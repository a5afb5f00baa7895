package dev.postbus.worker.relay;

import dev.postbus.smtp.ConnectionState;
import dev.postbus.smtp.SmtpConnection;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The persistent connections of one relay, lent to one sender lane at a time. At most {@link #limit} are in
 * use or open at once: the relay's connections, or fewer when the group's maximum of connections to the relay
 * is divided among the workers. The most recently returned connection is lent first, so open connections are
 * reused and the others stay closed.
 */
public final class ConnectionPool {

  private static final Runnable NO_GATE = () -> {};

  /**
   * One connection of the pool; while a lane has it, it is that lane's lease, and the lane's ledger gate runs
   * just before each final dot sent on it.
   */
  public static final class Lease implements AutoCloseable {
    private final ConnectionPool pool;
    private final SmtpConnection connection;
    private volatile Runnable gate = NO_GATE;

    private Lease(ConnectionPool pool, SmtpConnection connection) {
      this.pool = pool;
      this.connection = connection;
      connection.beforeFinalDot(() -> gate.run());
    }

    public SmtpConnection connection() {
      return connection;
    }

    /** Gives the connection back to the pool. */
    @Override
    public void close() {
      gate = NO_GATE;
      pool.release(this);
    }
  }

  private final List<Lease> all = new ArrayList<>();
  private final ArrayDeque<Lease> free = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition returned = lock.newCondition();
  private int inUse;
  private volatile int limit;

  public ConnectionPool(List<SmtpConnection> connections) {
    connections.forEach(c -> all.add(new Lease(this, c)));
    free.addAll(all);
    limit = all.size();
  }

  /**
   * A free connection, waiting up to {@code wait} for one; null when none came free. {@code gate} runs on
   * the lane's thread just before each final dot sent on it.
   */
  public Lease borrow(Duration wait, Runnable gate) throws InterruptedException {
    Lease p;
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
    return p;
  }

  private void release(Lease p) {
    if (limit < all.size() && surplus()) { // only while a share of a group maximum is in force
      p.connection.disconnect();
    }
    lock.lock();
    try {
      free.addLast(p);
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
      for (Lease f : free) {
        if (isOpen(f.connection.state())) {
          open++;
        }
      }
      return open >= limit;
    } finally {
      lock.unlock();
    }
  }

  /** Lends at most {@code n} connections at once (at least one), closing idle ones above it. */
  public void limit(int n) {
    int bounded = Math.max(1, Math.min(n, all.size()));
    List<Lease> closing = new ArrayList<>();
    lock.lock();
    try {
      limit = bounded;
      int open = inUse;
      for (var it = free.descendingIterator(); it.hasNext(); ) { // the next to be lent first
        Lease f = it.next();
        if (isOpen(f.connection.state()) && ++open > limit) {
          closing.add(f);
        }
      }
      free.removeAll(closing);
      inUse += closing.size();
      returned.signalAll();
    } finally {
      lock.unlock();
    }
    closing.forEach(p -> {
      p.connection.disconnect();
      lock.lock();
      try {
        free.addFirst(p);
        inUse--;
        returned.signal();
      } finally {
        lock.unlock();
      }
    });
  }

  public int limit() {
    return limit;
  }

  /** Closes free connections idle past the idle timeout; called by lanes with nothing to do. */
  public void closeIdle() {
    for (Lease p : all) {
      if (tryBorrow(p)) {
        try {
          p.connection.closeIfIdle();
        } finally {
          p.close();
        }
      }
    }
  }

  private boolean tryBorrow(Lease p) {
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
    for (Lease p : all) {
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
    return s == ConnectionState.IDLE || s == ConnectionState.SENDING || s == ConnectionState.CONNECTING;
  }
}
