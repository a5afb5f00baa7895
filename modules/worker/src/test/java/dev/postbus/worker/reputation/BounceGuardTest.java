package dev.postbus.worker.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BounceGuardTest {

  private final List<String> trips = new ArrayList<>();

  /**
   * Sends one recipient per job; {@code share} of them are refused permanently, spread at random.
   */
  private void send(BounceGuard guard, int jobs, double share, long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < jobs; i++) {
      boolean bounce = random.nextDouble() < share;
      guard.record(bounce ? 0 : 1, bounce ? 1 : 0);
    }
  }

  @Test
  void aBadBatchTripsItOnceWithTheRateInTheReason() {
    BounceGuard guard = new BounceGuard(1000, 0.08, trips::add);

    send(guard, 3000, 0.30, 1);

    assertThat(guard.tripped()).matches("bounce rate \\d+\\.\\d% over the last 1000 sends");
    assertThat(trips).hasSize(1).containsExactly(guard.tripped());
    double rate = Double.parseDouble(guard.tripped().replaceAll("bounce rate ([0-9.]+)%.*", "$1"));
    assertThat(rate).isBetween(25.0, 35.0); // trips on the first full window: about 30% of it
  }

  @Test
  void aGoodBatchNeverTripsIt() {
    BounceGuard guard = new BounceGuard(1000, 0.08, trips::add);

    send(guard, 20_000, 0.01, 2);

    assertThat(guard.tripped()).isNull();
    assertThat(trips).isEmpty();
    assertThat(guard.currentRate()).isLessThan(0.03);
  }

  @Test
  void itJudgesOnlyAFullWindow() {
    BounceGuard guard = new BounceGuard(100, 0.08, trips::add);

    guard.record(0, 99); // 99 bounces, but only 99 recipients seen
    assertThat(guard.tripped()).isNull();

    guard.record(0, 1);
    assertThat(guard.tripped()).isEqualTo("bounce rate 100.0% over the last 100 sends");
  }

  @Test
  void resumingStartsAFreshWindow() {
    BounceGuard guard = new BounceGuard(100, 0.08, trips::add);
    guard.record(50, 50);
    assertThat(guard.tripped()).isNotNull();

    assertThat(guard.resume()).isTrue();
    assertThat(guard.resume()).isFalse();
    guard.record(99, 0);
    guard.record(1, 0);

    assertThat(guard.tripped()).isNull();
    assertThat(trips).hasSize(1);
  }

  @Test
  void offNeverTrips() {
    BounceGuard guard = new BounceGuard(10, 0, trips::add);
    guard.record(0, 1000);
    assertThat(guard.tripped()).isNull();
  }

  @Test
  void complaintsReportedLaterTripItOnceWithTheirOwnReasonAndResumingClearsThem() {
    java.time.Clock clock =
        java.time.Clock.fixed(
            java.time.Instant.parse("2026-12-01T10:00:00Z"), java.time.ZoneOffset.UTC);
    BounceGuard guard =
        new BounceGuard(
            100,
            0.08,
            new FeedbackWindow(java.time.Duration.ofHours(24), 100, 0.08, 0.003, 1_000_000, clock),
            trips::add);
    for (int i = 0; i < 1000; i++) {
      guard.record("job-" + i, List.of("user-" + i + "@example.net"), 0);
    }
    guard.reported("job-1", "user-1@example.net", FeedbackWindow.Kind.COMPLAINT);
    guard.reported("job-2", "user-2@example.net", FeedbackWindow.Kind.COMPLAINT);
    assertThat(guard.tripped()).isNull();
    assertThat(guard.complaintRate()).isEqualTo(0.002);

    guard.reported("job-3", "user-3@example.net", FeedbackWindow.Kind.COMPLAINT);
    guard.reported("job-4", "user-4@example.net", FeedbackWindow.Kind.COMPLAINT);

    assertThat(guard.tripped()).startsWith("complaint rate 0.30% of the 1000 recipients");
    assertThat(guard.trippedBy()).isEqualTo("complaints");
    assertThat(trips).containsExactly(guard.tripped());

    assertThat(guard.resume()).isTrue();
    assertThat(guard.complaintRate()).isZero();
    guard.reported("job-5", "user-5@example.net", FeedbackWindow.Kind.COMPLAINT);
    assertThat(guard.tripped()).as("a fresh window: that send is forgotten").isNull();
  }

  @Test
  void bouncesReportedLaterTripTheBounceLimit() {
    java.time.Clock clock =
        java.time.Clock.fixed(
            java.time.Instant.parse("2026-12-01T10:00:00Z"), java.time.ZoneOffset.UTC);
    BounceGuard guard =
        new BounceGuard(
            100,
            0.08,
            new FeedbackWindow(java.time.Duration.ofHours(24), 100, 0.08, 0.003, 1_000_000, clock),
            trips::add);
    for (int i = 0; i < 100; i++) {
      guard.record("job-" + i, List.of("user-" + i + "@example.net"), 0);
    }
    for (int i = 0; i < 9; i++) {
      guard.reported("job-" + i, "user-" + i + "@example.net", FeedbackWindow.Kind.BOUNCE);
    }
    assertThat(guard.tripped()).startsWith("bounce rate 9.0% of the 100 recipients");
    assertThat(guard.trippedBy()).isEqualTo("bounces");
    assertThat(trips).hasSize(1);
  }

  /** A clock that holds the recorder thread's third reading (the verdict's) until released. */
  private static final class HoldingClock extends java.time.Clock {
    final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicInteger recorderReads =
        new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      if (Thread.currentThread().getName().equals("recorder")
          && recorderReads.incrementAndGet() == 3) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return java.time.Instant.parse("2026-12-01T10:00:00Z");
    }
  }

  @Test
  void aResumeWhileAVerdictIsBeingComputedIsNotUndoneByThatStaleVerdict() throws Exception {
    HoldingClock clock = new HoldingClock();
    FeedbackWindow window =
        new FeedbackWindow(java.time.Duration.ofHours(24), 100, 0.08, 0.003, 1_000_000, clock);
    BounceGuard guard = new BounceGuard(1000, 0.08, window, trips::add);
    for (int i = 0; i < 100; i++) {
      window.sent("job-" + i, List.of("user-" + i + "@example.net"), 0);
    }
    for (int i = 0; i < 9; i++) {
      window.reported("job-" + i, "user-" + i + "@example.net", FeedbackWindow.Kind.BOUNCE);
    }
    Thread recorder =
        new Thread(() -> guard.record("job-x", List.of("x@example.net"), 0), "recorder");
    recorder.start();
    clock.held.await();
    Thread resumer = new Thread(guard::resume, "resumer");
    resumer.start();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> resumer.getState() == Thread.State.BLOCKED);
    clock.release.countDown();
    recorder.join(10_000);
    resumer.join(10_000);

    assertThat(guard.tripped()).as("the operator's resume stands").isNull();
    assertThat(window.sends()).as("a fresh window after the resume").isZero();
  }
}
