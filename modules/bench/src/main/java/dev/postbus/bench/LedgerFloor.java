package dev.postbus.bench;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.kafka.DurableProducer;
import dev.postbus.worker.ledger.LedgerEntry;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The least a send ledger that keeps "at most one message per connection accepted by a relay and
 * not recorded" can cost the broker at K connections: only the ledger's records, no SMTP, no jobs,
 * no events, on an in-process broker measured as the postbus scenario measures it (its threads'
 * CPU, its Produce request count). Each entry is a worker's (binary, carrying its delivered event),
 * on a ledger topic set as a worker's (compacted and trimmed by age, as many partitions as the
 * postbus scenario's jobs), through a producer set as the worker's ledger producer (acks=all,
 * idempotent, one request in flight, no linger). Three ways:
 *
 * <ul>
 *   <li><em>lanes</em>: K writers, each waiting for its entry's acknowledgement before writing the
 *       next, as a worker's lanes wait before their next final dot; one producer gathers what is
 *       ready while a request is out.
 *   <li><em>in step</em>: K entries at a time, sent together and acknowledged together: one request
 *       per K entries, the most any grouping can gather when each connection has at most one entry
 *       unacknowledged.
 *   <li><em>one write</em>: the K entries of a group as one record on one partition: one request,
 *       one batch and one record per K entries, the least any design that writes to Kafka before a
 *       connection's next final dot can send (a group record, per-worker partitions, an offset
 *       commit: each is at least this one write).
 * </ul>
 *
 * Prints entries/s, produce requests and broker CPU per entry, and the whole JVM's CPU per 1,000
 * entries (broker and producer: what the ledger alone takes from the machine). Asserts nothing.
 */
public final class LedgerFloor {

  private static final String LEDGER = "bench.floor.ledger";

  /** As the postbus scenario's topics with one worker. */
  static final int PARTITIONS = 6;

  /** One round's figures. */
  record Round(
      String way,
      int entries,
      double seconds,
      double cpuSeconds,
      double brokerMsPerEntry,
      double requests) {
    double entriesPerSecond() {
      return entries / seconds;
    }

    double requestsPerEntry() {
      return requests / entries;
    }

    /** The whole JVM's CPU (the broker's and the producer's) per 1,000 entries, in seconds. */
    double cpuSecondsPer1k() {
      return cpuSeconds * 1000 / entries;
    }
  }

  private final int entries;
  private final int connections;
  private final int repeats;
  private final PrintStream out;

  public LedgerFloor(int entries, int connections, int repeats, PrintStream out) {
    if (connections < 1) {
      throw new IllegalArgumentException("--connections must be at least 1, was " + connections);
    }
    if (entries < connections) {
      throw new IllegalArgumentException(
          "--entries must be at least --connections (" + connections + "), was " + entries);
    }
    if (repeats < 1) {
      throw new IllegalArgumentException("--repeats must be at least 1, was " + repeats);
    }
    this.entries = entries - entries % connections; // whole groups of K
    this.connections = connections;
    this.repeats = repeats;
    this.out = out;
  }

  /** Runs a warm-up and {@code repeats} rounds of each way; returns the measured rounds. */
  public List<Round> run() throws Exception {
    List<Round> rounds = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.startEphemeral()) {
      kafka
          .admin()
          .createTopics(
              List.of(
                  new NewTopic(LEDGER, PARTITIONS, (short) 1)
                      .configs(
                          Map.of("cleanup.policy", "compact,delete", "retention.ms", "172800000"))))
          .all()
          .get();
      out.printf(
          Locale.ROOT,
          "broker idle: %.3f s of CPU per second (counted in every figure below)%n",
          idleBrokerCpu());
      try (KafkaProducer<byte[], byte[]> lanes =
              producer(settings(kafka.bootstrapServers(), false));
          KafkaProducer<byte[], byte[]> inStep =
              producer(settings(kafka.bootstrapServers(), true))) {
        out.printf(Locale.ROOT, "warm-up: %,d entries each way%n", entries);
        lanes(lanes, 0);
        inStep(inStep, entries, false);
        inStep(inStep, 2L * entries, true);
        for (int r = 0; r < repeats; r++) {
          long first = (3L * r + 3) * entries; // every entry its own job id
          rounds.add(print(r, measure("lanes", () -> lanes(lanes, first))));
          rounds.add(print(r, measure("in step", () -> inStep(inStep, first + entries, false))));
          rounds.add(
              print(r, measure("one write", () -> inStep(inStep, first + 2L * entries, true))));
        }
      }
      checkWritten(kafka, (repeats + 1L) * (2L * entries + entries / connections));
    }
    out.printf(
        Locale.ROOT,
        "%-9s %5s %18s %20s %22s %16s%n",
        "way",
        "K",
        "entries/s median",
        "requests per entry",
        "broker CPU ms/entry",
        "CPU s/1k entries");
    for (String way : List.of("lanes", "in step", "one write")) {
      List<Round> of = rounds.stream().filter(x -> x.way().equals(way)).toList();
      out.printf(
          Locale.ROOT,
          "%-9s %5d %18.0f %20.3f %22.3f %16.3f%n",
          way,
          connections,
          median(of.stream().mapToDouble(Round::entriesPerSecond).toArray()),
          median(of.stream().mapToDouble(Round::requestsPerEntry).toArray()),
          median(of.stream().mapToDouble(Round::brokerMsPerEntry).toArray()),
          median(of.stream().mapToDouble(Round::cpuSecondsPer1k).toArray()));
    }
    return rounds;
  }

  /** Every entry acknowledged is on the topic: the ledger's records, counted by offsets. */
  private static void checkWritten(EmbeddedKafka kafka, long expected) throws Exception {
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends =
        new java.util.HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      ends.put(
          new org.apache.kafka.common.TopicPartition(LEDGER, p),
          org.apache.kafka.clients.admin.OffsetSpec.latest());
    }
    long written =
        kafka.admin().listOffsets(ends).all().get().values().stream()
            .mapToLong(
                org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset)
            .sum();
    if (written != expected) {
      throw new IllegalStateException(
          "the ledger topic holds " + written + " entries, " + expected + " were acknowledged");
    }
  }

  private Round print(int r, Round x) {
    out.printf(
        Locale.ROOT,
        "round %d  K=%-4d %-9s %9.0f entries/s  %.3f requests/entry  broker CPU %.3f ms/entry"
            + "  CPU %.3f s/1k entries%n",
        r + 1,
        connections,
        x.way(),
        x.entriesPerSecond(),
        x.requestsPerEntry(),
        x.brokerMsPerEntry(),
        x.cpuSecondsPer1k());
    return x;
  }

  private interface Body {
    void run() throws Exception;
  }

  private Round measure(String way, Body body) throws Exception {
    Measurement m = Measurement.start();
    long cpu = BrokerCpu.nanos();
    long requests = BrokerRequests.produce();
    if (requests < 0) {
      throw new IllegalStateException("the in-process broker's produce request meter is missing");
    }
    body.run();
    return new Round(
        way,
        entries,
        m.seconds(),
        m.cpuSeconds(),
        (BrokerCpu.nanos() - cpu) / 1e6 / entries,
        BrokerRequests.produce() - requests);
  }

  /** K writers, each writing its next entry once its last is acknowledged. */
  private void lanes(KafkaProducer<byte[], byte[]> producer, long first) throws Exception {
    int each = entries / connections;
    List<Thread> writers = new ArrayList<>();
    List<Throwable> failed = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < connections; w++) {
      long from = first + (long) w * each;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (long i = from; i < from + each; i++) {
                    producer.send(record(i)).get();
                  }
                } catch (InterruptedException e) {
                  failed.add(e);
                  Thread.currentThread().interrupt();
                } catch (ExecutionException | RuntimeException | Error e) {
                  failed.add(e);
                }
              },
              "ledger-floor-" + w);
      writers.add(t);
      t.start();
    }
    for (Thread t : writers) {
      t.join();
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException("an entry was not written", failed.get(0));
    }
  }

  /**
   * K entries sent together (the producer lingers until flushed), then the next K; {@code
   * oneWrite}: the K as one record.
   */
  private void inStep(KafkaProducer<byte[], byte[]> producer, long first, boolean oneWrite)
      throws Exception {
    List<Future<RecordMetadata>> group = new ArrayList<>(connections);
    for (long i = first; i < first + entries; i += connections) {
      group.clear();
      if (oneWrite) {
        group.add(producer.send(groupRecord(i)));
      } else {
        for (int k = 0; k < connections; k++) {
          group.add(producer.send(record(i + k)));
        }
      }
      producer.flush();
      for (Future<RecordMetadata> f : group) {
        f.get();
      }
    }
  }

  /**
   * Entry {@code i}, on the ledger partition of a job whose partition is drawn at random (the same
   * draw for both ways, as jobs land on a worker's partitions by their keys' hashes).
   */
  private static ProducerRecord<byte[], byte[]> record(long i) {
    LedgerEntry e = TakeoverBench.entry(i);
    return new ProducerRecord<>(
        LEDGER, partition(i), e.jobId().getBytes(StandardCharsets.UTF_8), e.encode());
  }

  /** Entries {@code i} to {@code i + K - 1} in one record, on the first one's partition. */
  private ProducerRecord<byte[], byte[]> groupRecord(long i) {
    java.io.ByteArrayOutputStream value = new java.io.ByteArrayOutputStream();
    for (int k = 0; k < connections; k++) {
      value.writeBytes(TakeoverBench.entry(i + k).encode());
    }
    return new ProducerRecord<>(
        LEDGER,
        partition(i),
        TakeoverBench.entry(i).jobId().getBytes(StandardCharsets.UTF_8),
        value.toByteArray());
  }

  static int partition(long i) {
    return new java.util.SplittableRandom(i).nextInt(PARTITIONS);
  }

  /**
   * The worker's ledger producer's settings (idempotent, acks=all, one request in flight, no
   * linger); in step, a linger longer than any round so that each group goes when flushed.
   */
  static Map<String, Object> settings(String bootstrap, boolean inStep) {
    Map<String, Object> p = DurableProducer.settings(Map.of());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "ledger-floor");
    p.put(ProducerConfig.LINGER_MS_CONFIG, inStep ? "60000" : "0");
    return p;
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
    return new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The broker's CPU per second while nothing is sent (its own threads: raft, reapers...). */
  private static double idleBrokerCpu() throws InterruptedException {
    long cpu = BrokerCpu.nanos();
    long started = System.nanoTime();
    Thread.sleep(2000); // a quiet window to measure, not a wait for a condition
    return (BrokerCpu.nanos() - cpu) / ((double) (System.nanoTime() - started));
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
