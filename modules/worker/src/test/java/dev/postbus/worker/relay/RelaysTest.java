package dev.postbus.worker.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelaysTest {

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-11-24T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final TestClock clock = new TestClock();
  private final List<Boolean> allOut = new ArrayList<>();

  private Relays relays(Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(Map.of("relays", "a,b,c", "relay.c.pools", "bulk"));
    values.putAll(extra);
    WorkerConfig c = WorkerConfig.from(Settings.of(values));
    return new Relays(
        c.relays(),
        c.relayMode(),
        null,
        IntervalFunction.of(Duration.ofSeconds(1)),
        clock,
        allOut::add);
  }

  @Test
  void failoverTakesTheFirstUpRelayOfThePoolAndProbesAnOutOneOnceItsBackoffEnds() {
    Relays r = relays(Map.of());
    Relay a = r.all().get(0);
    Relay b = r.all().get(1);
    Relay c = r.all().get(2);
    assertThat(r.pick("default").relay()).isSameAs(a);
    assertThat(r.pick("bulk").relay()).isSameAs(a);
    assertThat(r.serves("bulk")).isTrue();

    a.failed("connect failed");
    a.failed("a send begun before it went out");
    assertThat(a.state()).isEqualTo(RelayState.OUT);
    assertThat(r.pick("default").relay()).isSameAs(b);

    clock.now = clock.now.plusSeconds(1);
    Relays.Pick probe = r.pick("default");
    assertThat(probe.relay()).isSameAs(a);
    assertThat(probe.probe()).isTrue();
    assertThat(a.state()).isEqualTo(RelayState.PROBING);
    assertThat(r.pick("default").relay())
        .as("one probe at a time; the others go on to b")
        .isSameAs(b);

    a.failed("still refused");
    assertThat(r.pick("default").relay()).isSameAs(b);
    clock.now = clock.now.plusSeconds(1);
    assertThat(r.pick("default").relay()).isSameAs(a);
    a.answered();
    assertThat(a.state()).isEqualTo(RelayState.UP);
    assertThat(r.pick("default").relay()).isSameAs(a);
    assertThat(c.up()).isTrue();
    assertThat(allOut).isEmpty();
  }

  @Test
  void whenEveryRelayOfAPoolIsOutTheJobWaitsForTheSoonestProbeAndTheWorkerIsToldWhenAllAreOut() {
    Relays r = relays(Map.of());
    r.all().get(0).failed("down");
    clock.now = clock.now.plusMillis(400);
    r.all().get(1).failed("down");
    Relays.Pick none = r.pick("default");
    assertThat(none.relay()).isNull();
    assertThat(none.waitFor()).isEqualTo(Duration.ofMillis(600));
    assertThat(r.pick("bulk").relay()).as("c serves bulk").isSameAs(r.all().get(2));
    assertThat(allOut).isEmpty();
    r.all().get(2).failed("down");
    assertThat(allOut).containsExactly(true);
    assertThat(r.problem()).isEqualTo("a: down; b: down; c: down");

    clock.now = clock.now.plusMillis(600);
    Relays.Pick probe = r.pick("default");
    assertThat(probe.relay()).isSameAs(r.all().get(0));
    probe.relay().abandonProbe();
    assertThat(r.pick("default").relay())
        .as("an abandoned probe is taken by the next job")
        .isSameAs(r.all().get(0));
    r.all().get(0).answered();
    assertThat(allOut).containsExactly(true, false);
  }

  @Test
  void weightedSpreadsByWeightOverTheRelaysThatAreUp() {
    Relays r =
        relays(Map.of("relays.mode", "weighted", "relay.a.weight", "3", "relay.c.pools", "*"));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(r.pick("default").relay().name(), 1, Integer::sum);
    }
    assertThat(counts.get("a")).isBetween(5600, 6400); // 3 of 5
    assertThat(counts.get("b")).isBetween(1700, 2300);
    r.all().get(0).failed("down");
    counts.clear();
    for (int i = 0; i < 1000; i++) {
      counts.merge(r.pick("default").relay().name(), 1, Integer::sum);
    }
    assertThat(counts).doesNotContainKey("a");
  }

  @Test
  void whateverOrderLanesReportInTheAllOutStateEndsAsTheRelaysAre() throws Exception {
    ch.qos.logback.classic.Logger relayLog =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Relay.class);
    ch.qos.logback.classic.Level was = relayLog.getLevel();
    relayLog.setLevel(ch.qos.logback.classic.Level.OFF); // thousands of transitions
    try {
      Relays r = relays(Map.of());
      Relay a = r.all().get(0);
      r.all().get(1).failed("down"); // b and c stay out: a alone decides
      r.all().get(2).failed("down");
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      int wrong = 0;
      for (int round = 0; round < 20_000; round++) {
        Thread failing =
            new Thread(
                () -> {
                  await(start);
                  a.failed("down");
                });
        failing.start();
        await(start);
        a.answered();
        failing.join();
        if (r.allOut() != !a.up()) {
          wrong++;
          a.answered(); // bring both back in step for the next round
          a.failed("down");
          a.answered();
        }
        if (!a.up()) {
          a.answered();
        }
      }
      assertThat(wrong).as("rounds that ended with allOut() unlike the relay's state").isZero();
    } finally {
      relayLog.setLevel(was);
    }
  }

  private static void await(java.util.concurrent.CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
