package dev.postbus.worker.lifecycle;

import dev.postbus.kafka.DurableProducer;
import dev.postbus.worker.config.WorkerConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of the worker's Kafka clients: its consumer, its producers (outcomes, and the send
 * ledger's own) and the ledger reader, over the user's {@code kafka.client.*} settings. The buffer
 * sizes are part of the heap bound in docs/operations.md.
 */
final class KafkaClients {

  private KafkaClients() {}

  static final int FETCH_MAX_BYTES = 16 * 1024 * 1024;
  static final int PRODUCER_BUFFER_BYTES = 16 * 1024 * 1024;

  /** The ledger is read back in large steps at takeover. */
  static final int LEDGER_READER_MAX_POLL_RECORDS = 5000;

  /**
   * The worker's group member: manual commits, earliest offset for a new group, cooperative-sticky.
   */
  static Map<String, Object> consumer(WorkerConfig c) {
    Map<String, Object> p = new HashMap<>(c.kafkaClient());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, c.group());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.workerId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(c.maxPollRecords()));
    // Part of the heap bound (docs/operations.md): what one fetch may bring (Kafka's default is 50
    // MiB).
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(FETCH_MAX_BYTES));
    return p;
  }

  /**
   * The ledger's own producer is handed every entry queued at once by its writer (LedgerWriter),
   * which never flushes: with one request in flight per broker, what accumulates while a request is
   * out goes in the next one. It does not linger: the writer already holds an entry for the ones
   * lanes have announced when relays answer fast, and with slow relays an entry waits for nothing
   * (a lane's next final dot waits for it, so a linger is added to every message's time).
   */
  static Map<String, Object> ledgerProducer(WorkerConfig c) {
    Map<String, Object> p = producer(c);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, c.workerId() + "-ledger");
    // Its entries are small: the heap bound's 16 MiB buffer, whatever job.max-bytes.
    if (!c.kafkaClient().containsKey(ProducerConfig.BUFFER_MEMORY_CONFIG)) {
      p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(PRODUCER_BUFFER_BYTES));
    }
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return p;
  }

  /** The ledger reader assigns partitions itself: no group, no commits. */
  static Map<String, Object> ledgerReader(WorkerConfig c) {
    Map<String, Object> p = new HashMap<>(c.kafkaClient());
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.workerId() + "-ledger");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(LEDGER_READER_MAX_POLL_RECORDS));
    // A commit's mark below the first entry kept (the ledger is trimmed by age): from the first.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** The suppression list's reader assigns every partition itself: no group, no commits. */
  static Map<String, Object> suppressionReader(WorkerConfig c) {
    Map<String, Object> p = new HashMap<>(c.kafkaClient());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.workerId() + "-suppressions");
    return p;
  }

  /** The guard's reader of the feedback topic assigns every partition itself: no group. */
  static Map<String, Object> feedbackReader(WorkerConfig c) {
    Map<String, Object> p = new HashMap<>(c.kafkaClient());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, c.workerId() + "-feedback");
    return p;
  }

  /**
   * Outcome records, retry records and dead letters: idempotent, acks=all, one request in flight.
   */
  static Map<String, Object> producer(WorkerConfig c) {
    Map<String, Object> p = DurableProducer.settings(c.kafkaClient());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, c.workerId() + "-dlt");
    // Part of the heap bound: records waiting for Kafka (Kafka's default is 32 MiB); sends block
    // past it. Never below the largest record: Kafka refuses a record over it before sending.
    int largest = c.largestRecordBytes();
    p.putIfAbsent(
        ProducerConfig.BUFFER_MEMORY_CONFIG,
        Integer.toString(Math.max(PRODUCER_BUFFER_BYTES, largest)));
    // Room for a dead letter carrying any record the jobs topic could hold (1 MiB by default), even
    // one over job.max-bytes. A user's value of either below it stops start-up (WorkerConfig).
    p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(largest));
    return p;
  }

  static Map<String, Object> admin(WorkerConfig c) {
    Map<String, Object> p = new HashMap<>(c.kafkaClient());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
    return p;
  }
}
