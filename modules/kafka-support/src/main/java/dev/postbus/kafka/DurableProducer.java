package dev.postbus.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings every Postbus producer writes with, over the user's: a record counts as written only
 * once every in-sync replica has it ({@code acks=all}), a retried send is never written twice and
 * records of a partition stay in order ({@code enable.idempotence=true}), with one request in
 * flight per connection. The user's settings cannot weaken them.
 */
public final class DurableProducer {

  /**
   * Settings that cannot be overridden, with their values. One request in flight: several batches
   * in flight to a partition created a moment ago were seen to fail for good with
   * OUT_OF_ORDER_SEQUENCE_NUMBER on Kafka 4.4.
   */
  public static final Map<String, String> ENFORCED =
      Map.of(
          ProducerConfig.ACKS_CONFIG, "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
          ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");

  private DurableProducer() {}

  /** A copy of {@code kafka} with {@link #ENFORCED} put over it. */
  public static Map<String, Object> settings(Map<String, ?> kafka) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.putAll(ENFORCED);
    return p;
  }
}
