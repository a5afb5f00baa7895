package dev.postbus.worker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The final dots' wait for the send ledger, as the worker's metrics show it. */
class LedgerWaitMetricTest {

  @Test
  void waitsUnderAMillisecondFallInBucketsOfTheirOwn() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WorkerStats stats = new WorkerStats();
    stats.bindTimers(registry);

    stats.ledgerWait(TimeUnit.MICROSECONDS.toNanos(100));
    stats.ledgerWait(TimeUnit.MICROSECONDS.toNanos(800));

    assertThat(stats.ledgerWaits()).isEqualTo(2);
    assertThat(stats.ledgerWaitNanos()).isEqualTo(TimeUnit.MICROSECONDS.toNanos(900));
    assertThat(registry.scrape())
        .as("a near Kafka acknowledges in well under a millisecond: told apart from 0.8 ms")
        .containsPattern("postbus_ledger_wait_seconds_bucket\\{le=\"[0-9.]+E-[45]\"\\} 1\\b");
  }
}
