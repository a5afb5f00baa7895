package dev.postbus.bench;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.worker.dedupe.Dedupe;
import dev.postbus.worker.dedupe.DedupeIndex;
import dev.postbus.worker.dedupe.DedupeLoader;
import dev.postbus.worker.dedupe.Fingerprints;
import dev.postbus.worker.ledger.LedgerEntry;
import dev.postbus.worker.ledger.LedgerIndex;
import dev.postbus.worker.ledger.LedgerMark;
import dev.postbus.worker.ledger.LedgerOutcome;
import dev.postbus.worker.ledger.LedgerReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a takeover costs a new owner: one jobs partition whose ledger partition holds N entries
 * written within {@code ledger.window} (each a delivered job's, carrying its event, as a worker
 * writes them), read as the worker reads it on assignment. Three commits: one carrying a ledger
 * mark (this worker's), one without (an older worker's: read by time, the whole window), and one
 * far behind (every entry matters). Then the dedupe index of idempotent publishing built from the
 * same partition (every entry is within {@code dedupe.window}), as a new owner builds it. Prints
 * time and heap; asserts nothing.
 */
public final class TakeoverBench {

  private static final String JOBS = "bench.jobs";
  private static final String LEDGER = "bench.jobs.ledger";

  /** Records after the commit when a worker dies: a second of deliveries at a high rate. */
  private static final int AFTER_COMMIT = 2_000;

  private final int entries;
  private final PrintStream out;

  public TakeoverBench(int entries, PrintStream out) {
    if (entries <= AFTER_COMMIT) {
      throw new IllegalArgumentException(
          "--entries must be over " + AFTER_COMMIT + ", was " + entries);
    }
    this.entries = entries;
    this.out = out;
  }

  public void run() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startEphemeral()) {
      kafka.admin().createTopics(List.of(new NewTopic(LEDGER, 1, (short) 1))).all().get();
      long started = System.nanoTime();
      write(kafka.bootstrapServers());
      out.printf(
          Locale.ROOT,
          "wrote %,d ledger entries (one partition; %d bytes each with its delivered event) in %.1f"
              + " s%n",
          entries,
          entry(0).encode().length,
          (System.nanoTime() - started) / 1e9);
      long commit = entries - AFTER_COMMIT;
      TopicPartition source = new TopicPartition(JOBS, 0);
      measure(
          kafka,
          "commit with a ledger mark",
          source,
          new OffsetAndMetadata(commit, new LedgerMark(LEDGER, 1, 0, commit).format()));
      measure(
          kafka,
          "commit without a mark (an older worker's)",
          source,
          new OffsetAndMetadata(commit));
      measure(kafka, "commit far behind (every entry after it)", source, new OffsetAndMetadata(0));
      measureDedupe(kafka);
    }
  }

  static LedgerEntry entry(long offset) {
    String id = String.format(Locale.ROOT, "%08d-3a1d-4f1e-9d7a-2f55d1c0e9aa", offset);
    byte[] event =
        ("{\"type\":\"delivered\",\"jobId\":\""
                + id
                + "\",\"at\":\"2026-12-06T16:00:00.123Z\",\"attempt\":1,\"worker\":\"worker-1\","
                + "\"reply\":{\"code\":250,\"enhancedCode\":\"2.0.0\",\"text\":\"Ok: queued as"
                + " 4ABCD12345\"},\"deliveredTo\":1}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] fingerprint = Fingerprints.of(id.getBytes(StandardCharsets.UTF_8));
    return new LedgerEntry(
        JOBS,
        0,
        offset,
        id,
        System.currentTimeMillis(),
        event,
        fingerprint,
        LedgerOutcome.DELIVERED);
  }

  private void write(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < entries; i++) {
        LedgerEntry e = entry(i);
        producer.send(
            new ProducerRecord<>(
                LEDGER, 0, e.jobId().getBytes(StandardCharsets.UTF_8), e.encode()));
      }
      producer.flush();
    }
  }

  /** The dedupe index a new owner builds: every entry of the partition is within the window. */
  private void measureDedupe(EmbeddedKafka kafka) {
    try (LedgerReader reader = reader(kafka)) {
      long before = usedAfterGc();
      resetPeaks();
      Dedupe dedupe = new Dedupe(Duration.ofDays(1), Clock.systemUTC(), 1);
      long started = System.nanoTime();
      DedupeIndex index =
          new DedupeLoader(reader, dedupe, Clock.systemUTC()).build(Set.of(0)).get(0);
      double seconds = (System.nanoTime() - started) / 1e9;
      long peak = peakHeap();
      long retained = usedAfterGc() - before;
      out.printf(
          Locale.ROOT,
          "dedupe index (dedupe.window holds all %,d entries): built in %.2f s; %,d job ids; retains"
              + " %.1f MiB (its arrays: %.1f MiB, %.1f MiB per million); heap peak %.0f MiB%n",
          entries,
          seconds,
          index.size(),
          retained / (1024.0 * 1024.0),
          index.retainedBytes() / (1024.0 * 1024.0),
          index.retainedBytes() / (1024.0 * 1024.0) / (index.size() / 1e6),
          peak / (1024.0 * 1024.0));
      java.lang.ref.Reference.reachabilityFence(index);
    }
  }

  private static LedgerReader reader(EmbeddedKafka kafka) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"); // as the worker's ledger reader
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new LedgerReader(
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        LEDGER,
        1);
  }

  private void measure(
      EmbeddedKafka kafka, String what, TopicPartition source, OffsetAndMetadata committed) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"); // as the worker's ledger reader
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (LedgerReader reader =
        new LedgerReader(
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            LEDGER,
            1)) {
      long before = usedAfterGc();
      resetPeaks();
      LedgerIndex index = new LedgerIndex(reader, Duration.ofDays(1), Clock.systemUTC());
      Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
      commits.put(source, committed);
      long started = System.nanoTime();
      index.load(commits);
      double seconds = (System.nanoTime() - started) / 1e9;
      long peak = peakHeap();
      long retained = usedAfterGc() - before;
      out.printf(
          Locale.ROOT,
          "%s: %,d records after it; takeover read in %.2f s; the index retains %.1f MiB; heap"
              + " peak %.0f MiB%n",
          what,
          entries - committed.offset(),
          seconds,
          retained / (1024.0 * 1024.0),
          peak / (1024.0 * 1024.0));
      java.lang.ref.Reference.reachabilityFence(index);
    }
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
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
