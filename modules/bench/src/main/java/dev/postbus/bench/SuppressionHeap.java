package dev.postbus.bench;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionReader;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.suppression.SuppressionTopic;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.worker.reputation.Suppressions;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the suppression list costs a worker: the heap its in-memory set retains for N addresses, the
 * time of one check, and (optionally) the time to read N entries back from a Kafka topic, as a
 * starting worker does. Prints figures; asserts nothing.
 */
public final class SuppressionHeap {

  /** Bounce reasons as a worker writes them: a handful of distinct texts. */
  private static final List<String> REASONS =
      List.of(
          "RCPT refused with 550 5.1.1",
          "RCPT refused with 550 5.1.10",
          "RCPT refused with 550 5.2.1",
          "DATA refused with 550 5.1.1");

  private final int addresses;
  private final PrintStream out;

  public SuppressionHeap(int addresses, PrintStream out) {
    this.addresses = addresses;
    this.out = out;
  }

  private Suppression entry(int i, Instant at) {
    return new Suppression(
        "user" + i + "@example" + (i % 1000) + ".com",
        REASONS.get(i % REASONS.size()),
        550,
        "5.1.1",
        Source.BOUNCE,
        at,
        null);
  }

  /** Fills a set as the worker does (it grows from its default size) and reports what it keeps. */
  public void measureHeap() {
    long before = usedAfterGc();
    SuppressionSet set = new SuppressionSet();
    Instant at = Instant.now();
    long started = System.nanoTime();
    for (int i = 0; i < addresses; i++) {
      set.add(entry(i, at));
    }
    double fillSeconds = (System.nanoTime() - started) / 1e9;
    long after = usedAfterGc();
    double mib = (after - before) / (1024.0 * 1024.0);
    out.printf(
        Locale.ROOT,
        "suppression set: %,d addresses retain %.1f MiB of heap (%.1f bytes each); filled in %.2f s%n",
        set.size(),
        mib,
        (after - before) / (double) set.size(),
        fillSeconds);
    // one check per recipient: half on the list, half not
    int checks = 2_000_000;
    long hits = 0;
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      hits = 0;
      started = System.nanoTime();
      for (int i = 0; i < checks; i++) {
        int n = i % 2 == 0 ? i % addresses : addresses + i;
        if (set.find("user" + n + "@example" + (n % 1000) + ".com", at) != null) {
          hits++;
        }
      }
    }
    double nanos = (System.nanoTime() - started) / (double) checks;
    out.printf(
        Locale.ROOT,
        "check: %.0f ns per recipient (one thread; %,d of %,d found)%n",
        nanos,
        hits,
        checks);
    out.printf(
        Locale.ROOT,
        "64-bit hashes: a given address not on a list of %,d is taken for one on it with probability"
            + " %.1e%n",
        set.size(),
        set.size() / Math.pow(2, 64));
    java.lang.ref.Reference.reachabilityFence(set);
  }

  /** Writes N entries to a topic of an in-process broker, then reads them as a starting worker. */
  public void measureLoad() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startEphemeral()) {
      String topic = SuppressionTopic.of("bench.jobs");
      kafka
          .admin()
          .createTopics(
              List.of(new NewTopic(topic, 6, (short) 1).configs(SuppressionTopic.config())))
          .all()
          .get();
      Instant at = Instant.now();
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              // as Postbus's producers write: several requests in flight to a partition created a
              // moment ago can lose its first batch for good (see DurableProducer)
              dev.postbus.kafka.DurableProducer.settings(
                  Map.of(
                      ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                      kafka.bootstrapServers(),
                      ProducerConfig.LINGER_MS_CONFIG,
                      20,
                      ProducerConfig.BATCH_SIZE_CONFIG,
                      256 * 1024)),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        SuppressionWriter writer = new SuppressionWriter(producer, topic);
        for (int i = 0; i < addresses; i++) {
          writer.add(entry(i, at));
        }
        producer.flush();
      }
      SuppressionSet set = new SuppressionSet();
      Suppressions list = new Suppressions(set, Set.of(), null, null, Clock.systemUTC());
      long started = System.nanoTime();
      try (SuppressionReader reader =
          SuppressionReader.load(
              Map.of("bootstrap.servers", kafka.bootstrapServers()),
              topic,
              Duration.ofMinutes(5),
              list)) { // the worker's own listener
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf(
            Locale.ROOT,
            "start-up read: %,d entries from %s (6 partitions, in-process broker) in %.2f s"
                + " (%,.0f entries/s; %d malformed)%n",
            set.size(),
            topic,
            seconds,
            set.size() / seconds,
            list.malformedRecords());
      }
    }
  }

  private static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return used;
  }
}
