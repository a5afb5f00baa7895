package dev.postbus.worker.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.job.JobClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * When permits are scarce (the group's rate limit, or a rate the relay's throttle replies brought
 * down), a waiting transactional send gets the next one before the bulk sends waiting with it.
 * Permits are handed out by hand, so no test waits for the clock to make one.
 */
class SendRateClassesTest {

  @Test
  void underTheRateLimitAWaitingTransactionalSendGetsTheNextPermitBeforeWaitingBulkSends()
      throws Exception {
    HandPacer pacer = new HandPacer();
    SendRate rate = new SendRate(0, 10, System::nanoTime, r -> pacer, 0.1);
    transactionalGoesFirst(rate, pacer);
  }

  @Test
  void afterAThrottleReplyAWaitingTransactionalSendGetsTheNextPermitBeforeWaitingBulkSends()
      throws Exception {
    HandPacer pacer = new HandPacer();
    SendRate rate = new SendRate(0, 0, System::nanoTime, r -> pacer, 0.1);
    for (int i = 0; i < 20; i++) {
      rate.accepted();
    }
    rate.throttled(); // no limit set: the relay's push-back makes one
    assertThat(rate.limited()).isTrue();
    assertThat(pacer.rate())
        .as("the lowered rate reaches the pacer: 85% of the 20 accepted in the last second")
        .isEqualTo(17.0, org.assertj.core.data.Offset.offset(0.01));
    transactionalGoesFirst(rate, pacer);
  }

  private static void transactionalGoesFirst(SendRate rate, HandPacer pacer) throws Exception {
    List<Lane> bulk = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Lane lane = new Lane("bulk-" + i, rate, JobClass.BULK);
      bulk.add(lane);
      lane.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> waiting(lane));
    }
    Lane transactional = new Lane("transactional", rate, JobClass.TRANSACTIONAL);
    transactional.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting(transactional));
    pacer.give(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> transactional.got() != null || bulk.stream().anyMatch(l -> l.got() != null));
    assertThat(bulk)
        .as("no bulk send took the permit a transactional send was waiting for")
        .allMatch(l -> l.got() == null);
    assertThat(transactional.got()).as("the transactional send got the permit").isTrue();

    pacer.give(3);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bulk.stream().allMatch(l -> Boolean.TRUE.equals(l.got())));
    for (Lane l : bulk) {
      l.join(10_000);
    }
  }

  private static boolean waiting(Thread t) {
    return t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING;
  }

  /** A lane asking for one permit for a job of its class. */
  private static final class Lane extends Thread {
    private final SendRate rate;
    private final JobClass jobClass;
    private final AtomicReference<Boolean> got = new AtomicReference<>();

    Lane(String name, SendRate rate, JobClass jobClass) {
      super(name);
      this.rate = rate;
      this.jobClass = jobClass;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        got.set(rate.acquire(jobClass, () -> false));
      } catch (InterruptedException e) {
        got.set(false);
      }
    }

    Boolean got() {
      return got.get();
    }
  }

  /** Permits given by the test; records which lanes asked. */
  static final class HandPacer implements Pacer {
    private final AtomicInteger permits = new AtomicInteger();
    private final Set<String> askers = ConcurrentHashMap.newKeySet();

    @Override
    public boolean tryAcquire() {
      askers.add(Thread.currentThread().getName());
      return permits.getAndUpdate(p -> p > 0 ? p - 1 : 0) > 0;
    }

    private volatile double rate = Double.NaN;

    @Override
    public void setRate(double perSecond) {
      rate = perSecond;
    }

    /** The last rate it was told; NaN when none. */
    double rate() {
      return rate;
    }

    void give(int n) {
      permits.addAndGet(n);
    }

    boolean askedBy(String lane) {
      return askers.contains(lane);
    }
  }
}
