package dev.postbus.feedback.receive;

import dev.postbus.feedback.write.SoftBounceFollower;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The receiver's metrics, as Prometheus text: {@code postbus_feedback_total{provider,type}} for
 * reports written, {@code postbus_feedback_rejected_total{provider,reason}} for refused requests,
 * {@code postbus_feedback_repeats_total{provider}} for reports dropped as repeats, {@code
 * postbus_feedback_ignored_total{provider,reason}} for mail to the bounce address that holds no
 * report, {@code postbus_feedback_soft_bounce_suppressions_total} for addresses suppressed for
 * their soft bounces.
 */
public final class FeedbackMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public void accepted(String provider, String type) {
    Counter.builder("postbus.feedback")
        .description("Bounces, complaints and other reports written to the feedback topic")
        .tag("provider", provider)
        .tag("type", type)
        .register(registry)
        .increment();
  }

  public void rejected(String provider, String reason) {
    Counter.builder("postbus.feedback.rejected")
        .description("Requests refused: bad signature or credentials, stale, malformed, too large")
        .tag("provider", provider)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  public void repeats(String provider, int count) {
    Counter.builder("postbus.feedback.repeats")
        .description("Reports dropped because their provider event id was seen before")
        .tag("provider", provider)
        .register(registry)
        .increment(count);
  }

  public void ignored(String provider, String reason) {
    Counter.builder("postbus.feedback.ignored")
        .description("Messages to the bounce address taken but holding no report to write")
        .tag("provider", provider)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /**
   * {@code postbus_feedback_soft_bounce_suppressions_total}, read from {@code follower} (held
   * strongly by the server: the registry keeps only a weak reference).
   */
  public void softBounces(SoftBounceFollower follower) {
    FunctionCounter.builder(
            "postbus.feedback.soft.bounce.evicted", follower, SoftBounceFollower::evicted)
        .description(
            "Recipients whose soft bounces were forgotten early: feedback.soft-bounce.max-recipients"
                + " was reached")
        .register(registry);
    Gauge.builder("postbus.feedback.soft.bounce.reader.up", follower, f -> f.up() ? 1 : 0)
        .description("0 while the soft-bounce follower cannot read <topic>.feedback (see the log)")
        .register(registry);
    FunctionCounter.builder(
            "postbus.feedback.soft.bounce.reader.errors", follower, SoftBounceFollower::errors)
        .description(
            "Records of <topic>.feedback the soft-bounce follower failed on and skipped, plus an"
                + " error that stopped it (see the log)")
        .register(registry);
    FunctionCounter.builder(
            "postbus.feedback.soft.bounce.suppressions", follower, SoftBounceFollower::suppressed)
        .description(
            "Addresses put on the suppression list for reaching feedback.soft-bounce.limit")
        .register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }
}
