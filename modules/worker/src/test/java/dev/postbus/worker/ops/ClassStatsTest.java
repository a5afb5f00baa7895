package dev.postbus.worker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.JobClass;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ClassStatsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ClassStats stats = new ClassStats();

  @Test
  void eachClassHasItsJobsLatencyLagAndQueueInMetrics() {
    stats.register(registry, c -> c == JobClass.BULK ? 7 : 1);
    stats.record(JobClass.BULK, "delivered", 1_000, 61_000);
    stats.record(JobClass.TRANSACTIONAL, "delivered", 1_000, 1_050);
    stats.record(JobClass.BULK, "dead-lettered", 0, 0);
    stats.lag(
        Map.of(
            new TopicPartition("jobs", 0), 2L,
            new TopicPartition("jobs.bulk", 0), 500L,
            new TopicPartition("jobs.bulk", 1), 100L,
            new TopicPartition("jobs.retry.30s", 0), 9L),
        "jobs");
    String text = registry.scrape();
    assertThat(text)
        .contains("postbus_class_jobs_total{class=\"bulk\",outcome=\"delivered\"} 1.0")
        .contains("postbus_class_jobs_total{class=\"bulk\",outcome=\"dead-lettered\"} 1.0")
        .contains("postbus_class_jobs_total{class=\"transactional\",outcome=\"delivered\"} 1.0")
        .contains("postbus_class_consumer_lag{class=\"bulk\"} 600.0")
        .contains("postbus_class_consumer_lag{class=\"transactional\"} 2.0")
        .contains("postbus_class_queue_depth{class=\"bulk\"} 7.0")
        .contains("postbus_class_publish_to_delivered_seconds_count{class=\"bulk\"} 1");
    assertThat(stats.publishToDelivered(JobClass.BULK).percentile(0.5))
        .isGreaterThan(Duration.ofSeconds(55));
    assertThat(stats.publishToDelivered(JobClass.TRANSACTIONAL).percentile(0.5))
        .isLessThan(Duration.ofMillis(60));
  }
}
