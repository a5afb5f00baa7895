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
}
