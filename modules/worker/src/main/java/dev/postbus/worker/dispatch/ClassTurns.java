package dev.postbus.worker.dispatch;

import dev.postbus.job.JobClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Who gets the next of a scarce thing lanes wait for after they took a job (a rate permit, a
 * domain's connection slot): a waiting transactional send before a waiting bulk one, and while both
 * wait, bulk gets {@code bulkFloor} of them ({@link ClassPick}'s floor), so a steady transactional
 * stream cannot starve a campaign. Within a class, first come first served.
 *
 * <p>Only the head (the first waiter of the class whose turn it is) looks for the thing; the others
 * sleep until the head leaves and wakes the next one, looking up only to see whether they should
 * give up. So each waiter is woken about once per thing handed out, however many wait. A waiter's
 * class is read whenever the head is chosen, so it may rise while it waits (a bulk send holding
 * what a transactional send waits for takes its permit at transactional priority).
 *
 * <p>The floor counts what was taken in the class it was taken in: a bulk send raised to
 * transactional counts as a transactional turn (it is served for the transactional send it blocks),
 * so bulk's own turns still come at {@code bulkFloor} on top of it.
 */
public final class ClassTurns {

  /** The longest a waiter sleeps before looking at its give-up check. */
  public static final Duration GIVE_UP_CHECK = Duration.ofMillis(100);

  private final ClassPick floor;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Waiter> waiting = new ArrayList<>(); // in arrival order

  /** Whose turn it is, as last chosen; recomputed on every arrival, departure or change. */
  private Waiter head;

  private boolean headBothWaiting;
  private JobClass headClass;

  /** One waiter; {@code now} is its class as last read, under the lock. */
  private static final class Waiter {
    private final Supplier<JobClass> jobClass;
    private final Condition woken;
    private JobClass now;

    Waiter(Supplier<JobClass> jobClass, Condition woken) {
      this.jobClass = jobClass;
      this.woken = woken;
    }

    Supplier<JobClass> jobClass() {
      return jobClass;
    }

    Condition woken() {
      return woken;
    }
  }

  /**
   * @param bulkFloor the share bulk gets while both classes wait, in [0, 1)
   */
  public ClassTurns(double bulkFloor) {
    this.floor = new ClassPick(1, 0, bulkFloor); // one "lane": no bulk lane limit applies here
  }

  /**
   * Waits until it is this waiter's turn and {@code tryTake} (called under this object's lock, must
   * not block) took the thing.
   *
   * @param jobClass the waiter's class, read each time whose turn it is is decided
   * @param poll how long the head sleeps before trying again when the thing was not there (it may
   *     come free with time, as a rate permit does); null to sleep until {@link #changeAndWake}
   * @param giveUp looked at about every {@link #GIVE_UP_CHECK}; true: stop waiting, answer false
   * @return true when taken, false when given up
   */
  public boolean take(
      Supplier<JobClass> jobClass, BooleanSupplier tryTake, Duration poll, BooleanSupplier giveUp)
      throws InterruptedException {
    return takeGranted(jobClass, tryTake, poll, giveUp) != null;
  }

  /**
   * {@link #take}, answering the class the thing was granted in (the waiter's class as read when
   * its turn was decided; it may change right after), or null when given up.
   */
  public JobClass takeGranted(
      Supplier<JobClass> jobClass, BooleanSupplier tryTake, Duration poll, BooleanSupplier giveUp)
      throws InterruptedException {
    lock.lock();
    Waiter me = new Waiter(jobClass, lock.newCondition());
    try {
      waiting.add(me);
      chooseHead();
      while (true) {
        if (head == me && tryTake.getAsBoolean()) {
          floor.count(headBothWaiting, headBothWaiting, choice(headClass));
          return me.now;
        }
        if (giveUp.getAsBoolean()) {
          return null;
        }
        Duration sleep =
            head == me && poll != null && poll.compareTo(GIVE_UP_CHECK) < 0 ? poll : GIVE_UP_CHECK;
        me.woken().await(sleep.toNanos(), TimeUnit.NANOSECONDS);
        chooseHead(); // a class may have risen meanwhile
      }
    } finally {
      try {
        waiting.remove(me);
        chooseHead(); // may throw (it asks the waiters' classes): the lock is let go all the same
      } finally {
        lock.unlock();
      }
    }
  }

  /** Runs {@code change} under this object's lock, then wakes the waiter whose turn it is. */
  public void changeAndWake(Runnable change) {
    lock.lock();
    try {
      change.run();
      Waiter before = head;
      try {
        chooseHead(); // a class may have risen since the head was chosen
      } finally {
        if (head != null && head == before) {
          head.woken().signal(); // chooseHead wakes a new head itself
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether a transactional send waits now (its class read now). */
  public boolean transactionalWaiting() {
    lock.lock();
    try {
      for (Waiter w : waiting) {
        if (w.jobClass().get() != JobClass.BULK) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  private static ClassPick.Choice choice(JobClass c) {
    return c == JobClass.BULK ? ClassPick.Choice.BULK : ClassPick.Choice.TRANSACTIONAL;
  }

  /** Under the lock: picks the head, and wakes it when it is a new one. */
  private void chooseHead() {
    boolean transactional = false;
    boolean bulk = false;
    for (int i = 0; i < waiting.size(); i++) { // no allocation: each waiter keeps its class read
      Waiter w = waiting.get(i);
      w.now = w.jobClass().get() == JobClass.BULK ? JobClass.BULK : JobClass.TRANSACTIONAL;
      transactional |= w.now == JobClass.TRANSACTIONAL;
      bulk |= w.now == JobClass.BULK;
    }
    JobClass turnClass =
        floor.next(transactional, bulk, 0) == ClassPick.Choice.BULK
            ? JobClass.BULK
            : JobClass.TRANSACTIONAL;
    Waiter next = null;
    for (int i = 0; i < waiting.size() && next == null; i++) {
      if (waiting.get(i).now == turnClass) {
        next = waiting.get(i);
      }
    }
    headBothWaiting = transactional && bulk;
    headClass = turnClass;
    if (next != head) {
      head = next;
      if (next != null) {
        next.woken().signal();
      }
    }
  }
}
