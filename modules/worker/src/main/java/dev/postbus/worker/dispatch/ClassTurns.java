package dev.postbus.worker.dispatch;

import dev.postbus.job.JobClass;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Who gets the next of a scarce thing lanes wait for after they took a job (a rate permit, a
 * domain's connection slot): a waiting transactional send before a waiting bulk one, and while both
 * wait, bulk gets {@code bulkFloor} of them ({@link ClassPick}'s floor), so a steady transactional
 * stream cannot starve a campaign. Within a class, whichever waiter looks first. The thing is taken
 * under this object's lock, so a bulk lane cannot take what a transactional one waiting at that
 * moment was owed.
 */
public final class ClassTurns {

  private final ClassPick floor;
  private int transactionalWaiting;
  private int bulkWaiting;

  /**
   * @param bulkFloor the share bulk gets while both classes wait, in [0, 1)
   */
  public ClassTurns(double bulkFloor) {
    this.floor = new ClassPick(1, 0, bulkFloor); // one "lane": no bulk lane limit applies here
  }

  /**
   * Waits until it is {@code jobClass}'s turn and {@code tryTake} (called under this object's lock,
   * must not block) took the thing.
   *
   * @param poll how often to look again without being woken (the thing may come free with time, as
   *     a rate permit does); null to wait until {@link #changeAndWake} or another waiter wakes it
   * @param giveUp looked at every time it looks again; true: stop waiting, answer false
   * @return true when taken, false when given up
   */
  public synchronized boolean take(
      JobClass jobClass, BooleanSupplier tryTake, Duration poll, BooleanSupplier giveUp)
      throws InterruptedException {
    boolean bulk = jobClass == JobClass.BULK;
    changeWaiting(bulk, 1);
    try {
      while (true) {
        ClassPick.Choice turn = floor.next(transactionalWaiting > 0, bulkWaiting > 0, 0);
        if (turn == (bulk ? ClassPick.Choice.BULK : ClassPick.Choice.TRANSACTIONAL)
            && tryTake.getAsBoolean()) {
          floor.count(transactionalWaiting > 0, bulkWaiting > 0, turn);
          return true;
        }
        if (giveUp.getAsBoolean()) {
          return false;
        }
        if (poll == null) {
          wait();
        } else {
          wait(Math.max(1, poll.toMillis()));
        }
      }
    } finally {
      changeWaiting(bulk, -1);
    }
  }

  /** Runs {@code change} under this object's lock, then wakes the waiters. */
  public synchronized void changeAndWake(Runnable change) {
    change.run();
    notifyAll();
  }

  private void changeWaiting(boolean bulk, int by) {
    if (bulk) {
      bulkWaiting += by;
    } else {
      transactionalWaiting += by;
    }
    notifyAll(); // a newcomer may change whose turn it is; one leaving too
  }
}
