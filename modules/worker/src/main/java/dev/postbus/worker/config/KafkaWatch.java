package dev.postbus.worker.config;

import java.time.Duration;

/**
 * How the worker watches Kafka.
 *
 * @param startupTimeout how long a starting worker waits for Kafka (zero: forever)
 * @param lostAfter how long a running worker goes without contact before it reports Kafka lost
 */
public record KafkaWatch(Duration startupTimeout, Duration lostAfter) {
  public static KafkaWatch defaults() {
    return new KafkaWatch(
        WorkerKeys.STARTUP_TIMEOUT.defaultValue(), WorkerKeys.KAFKA_LOST_AFTER.defaultValue());
  }
}
