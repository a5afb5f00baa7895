package dev.postbus.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** The coordinator's answers, counted from the consumer's metrics. */
class CoordinatorAnswersTest {

  private final Map<String, Double> values = new HashMap<>();
  private final CoordinatorAnswers answers = new CoordinatorAnswers();

  private Map<MetricName, Metric> metrics() {
    Map<MetricName, Metric> all = new HashMap<>();
    for (String name : values.keySet()) {
      MetricName n = new MetricName(name, CoordinatorAnswers.GROUP, "", Map.of());
      all.put(
          n,
          new Metric() {
            @Override
            public MetricName metricName() {
              return n;
            }

            @Override
            public Object metricValue() {
              return values.get(name);
            }
          });
    }
    return all;
  }

  @Test
  void aHeartbeatAnsweredSinceTheLastLookIsAnAnswer() {
    values.put("heartbeat-total", 3.0);
    values.put("last-heartbeat-seconds-ago", 0.0);
    assertThat(answers.grew(this::metrics)).as("three answered so far").isTrue();
    assertThat(answers.grew(this::metrics)).as("none since").isFalse();
    values.put("last-heartbeat-seconds-ago", 1.0); // sent, not answered
    assertThat(answers.grew(this::metrics)).isFalse();
    values.put("heartbeat-total", 4.0);
    assertThat(answers.grew(this::metrics)).isTrue();
  }

  @Test
  void anUnknownCountIsNoAnswer() {
    values.put("heartbeat-total", Double.NaN);
    assertThat(answers.grew(this::metrics)).isFalse();
    values.put("heartbeat-total", -1.0);
    assertThat(answers.grew(this::metrics)).isFalse();
    values.put("heartbeat-total", 0.0);
    assertThat(answers.grew(this::metrics)).isFalse();
  }

  @Test
  void eachStepOfARebalanceIsAnAnswer() {
    values.put("heartbeat-total", 5.0);
    values.put("join-total", 1.0);
    values.put("sync-total", 1.0);
    answers.grew(this::metrics);
    values.put("join-total", 2.0);
    assertThat(answers.grew(this::metrics)).as("JoinGroup answered").isTrue();
    assertThat(answers.joined()).as("a successful JoinGroup proves membership").isTrue();
    values.put("sync-total", 2.0);
    assertThat(answers.grew(this::metrics)).as("SyncGroup answered").isTrue();
    assertThat(answers.grew(this::metrics)).isFalse();
    values.put("heartbeat-total", 6.0);
    assertThat(answers.grew(this::metrics)).isTrue();
    assertThat(answers.joined()).as("a heartbeat answer may be a fencing one").isFalse();
  }
}
