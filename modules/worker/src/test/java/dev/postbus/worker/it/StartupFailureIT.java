package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker that fails while it is being built (here: the send ledger's topic is missing and it may
 * not create topics) closes what it had opened: no producer I/O thread, consumer, resend or ack
 * thread is left behind in a process that goes on (a supervisor's retry loop, a test JVM).
 */
@ExtendWith(SharedKafka.class)
class StartupFailureIT {

  private static final Set<String> OUR_THREADS = Set.of("postbus-resend", "postbus-acks");

  @Test
  void aMissingLedgerTopicStopsStartUpNamingItAndLeavesNoThreadBehind(EmbeddedKafka kafka) {
    String topic = SharedKafka.uniqueName("noledger");
    String workerId = SharedKafka.uniqueName("leaky");
    WorkerConfig config =
        WorkerConfig.from(
            Settings.of(
                Map.of(
                    "kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "topic", topic,
                    "group", SharedKafka.uniqueName("group"),
                    "worker.id", workerId,
                    "smtp.host", "127.0.0.1",
                    "smtp.port", "25",
                    "smtp.tls", "none",
                    "http.port", "0",
                    "topics.auto-create", "false",
                    "kafka.client.max.block.ms", "2000")));
    Set<Thread> before = ourThreads(workerId);

    assertThatThrownBy(() -> Worker.start(config))
        .hasMessageContaining(topic + ".ledger")
        .hasMessageContaining("postbus topics create")
        .hasMessageContaining("ledger.enabled=false");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Set<Thread> left = ourThreads(workerId);
              left.removeAll(before);
              assertThat(names(left)).as("threads the failed start-up left alive").isEmpty();
            });
  }

  /** Live threads of this worker's Kafka clients (named by its id), and the worker's own. */
  private static Set<Thread> ourThreads(String workerId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().contains(workerId) || OUR_THREADS.contains(t.getName()))
        .collect(Collectors.toSet());
  }

  private static List<String> names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).sorted().toList();
  }
}
