package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.lifecycle.WorkerState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker paused with every relay out whose job in hand left its lane (its partition moved to
 * another worker) probes the relay itself: once the relay is back, it resumes and delivers the jobs
 * of the partitions it kept.
 */
@ExtendWith(SharedKafka.class)
class NothingInHandIT {

  private static final Map<String, String> SETTINGS = Map.of("smtp.reconnect-backoff-max", "1s");

  @Test
  void aPausedWorkerWithNoJobInHandProbesTheRelayItselfAndResumes(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.goDown();
      Worker a = f.start(f.config(relay.port(), 1, "in-hand-a", SETTINGS));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.ownedPartitions() == 6);
      // on the last partition: the one a cooperative-sticky rebalance moves to a new member
      f.publish(List.of(job(idOn(Fixtures.PARTITIONS - 1, "held", 0))));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.state() == WorkerState.PAUSED);

      Worker b = f.start(f.config(relay.port(), 1, "in-hand-b", SETTINGS));
      await()
          .alias("b takes 3 partitions, the held job's among them, and tries it")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  a.ownedPartitions() == 3
                      && b.ownedPartitions() == 3
                      && b.state() == WorkerState.PAUSED);
      assertThat(a.state()).isEqualTo(WorkerState.PAUSED);

      relay.resume();
      List<Job> more = new ArrayList<>();
      for (int p = 0; p < Fixtures.PARTITIONS; p++) {
        for (int n = 0; n < 2; n++) {
          more.add(job(idOn(p, "more", n)));
        }
      }
      f.publish(more);
      await()
          .alias("every job delivered, a's partitions' too")
          .atMost(Duration.ofSeconds(30))
          .until(() -> relay.received() >= 1 + more.size());
      await()
          .alias("a running again")
          .atMost(Duration.ofSeconds(30))
          .until(() -> a.state() == WorkerState.RUNNING);
      assertThat(relay.countsByMessageId().values()).allMatch(n -> n == 1);
    }
  }

  private static Job job(String id) {
    return Job.text(id, "sender@example.com", "rcpt@example.net", "Message " + id, "Body");
  }

  /** The n-th job id that Kafka's default partitioner puts on {@code partition}. */
  private static String idOn(int partition, String prefix, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String id = prefix + "-" + i;
      byte[] key = id.getBytes(StandardCharsets.UTF_8);
      if (Utils.toPositive(Utils.murmur2(key)) % Fixtures.PARTITIONS == partition && found++ == n) {
        return id;
      }
    }
  }
}
