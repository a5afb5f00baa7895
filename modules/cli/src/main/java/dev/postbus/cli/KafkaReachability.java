package dev.postbus.cli;

import dev.postbus.worker.lifecycle.KafkaProbe;
import java.time.Duration;
import java.util.Map;

/**
 * Before a command talks to Kafka: can the bootstrap servers be reached, and do they answer? A
 * wrong address or a broker still starting is the most common first mistake, so the answer comes
 * within the timeout, as one line that names the servers, what happened and what to do, instead of
 * a client that waits forever.
 */
final class KafkaReachability {

  /** Exit code when Kafka cannot be reached (documented in docs/operations.md). */
  static final int EXIT_KAFKA = 3;

  private KafkaReachability() {}

  /** Kafka could not be reached; the message is the one line to print. */
  static final class Unreachable extends RuntimeException {
    Unreachable(String line) {
      super(line, null, false, false);
    }
  }

  static void require(Map<String, Object> clientProperties, Duration timeout) {
    String problem = KafkaProbe.problem(clientProperties, timeout);
    if (problem != null) {
      throw new Unreachable(
          "cannot reach Kafka at "
              + KafkaProbe.servers(clientProperties)
              + ": "
              + problem
              + ". Is the broker running (./postbus dev starts one on localhost:9092)? Set the address"
              + " with --bootstrap-servers or POSTBUS_KAFKA_BOOTSTRAP_SERVERS.");
    }
  }
}
