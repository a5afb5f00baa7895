package dev.postbus.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads against a real broker (the in-process one; testkit's shared broker uses this module, so
 * this test starts its own): end offsets, records written during a read, transactions, times.
 */
class TopicScanIT {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.startEphemeral();
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  private static String topic(int partitions) throws Exception {
    String name = "scan-" + UUID.randomUUID().toString().substring(0, 8);
    try (var admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }
    return name;
  }

  private static Map<String, Object> client() {
    return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
  }

  private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
    Map<String, Object> p = DurableProducer.settings(client());
    p.putAll(extra);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> r)
      throws Exception {
    producer.send(r).get();
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String value) {
    return new ProducerRecord<>(topic, partition, null, value.getBytes());
  }

  private static List<String> values(TopicScan scan, List<TopicPartition> tps, Start start) {
    List<String> out = new ArrayList<>();
    scan.read(
        tps,
        start,
        r -> {
          out.add(new String(r.value()));
          return TopicScan.Step.NEXT;
        });
    return out;
  }

  @Test
  void readsToTheEndOfItsStartAndTheNextReadTakesWhatCameDuringIt() throws Exception {
    String topic = topic(4); // partition 3 stays empty
    try (var producer = producer(Map.of());
        var consumer = TopicScan.consumer(client())) {
      for (int i = 0; i < 90; i++) {
        send(producer, record(topic, i % 3, "a" + i));
      }
      TopicScan scan = new TopicScan(consumer, Duration.ofSeconds(30));
      List<TopicPartition> tps = scan.partitions(topic);
      assertThat(tps).hasSize(4);
      List<String> first = new ArrayList<>();
      long n =
          scan.read(
              tps,
              Start.beginning(),
              r -> {
                if (first.isEmpty()) {
                  try { // the end moves while the read goes on
                    for (int i = 0; i < 12; i++) {
                      send(producer, record(topic, i % 4, "b" + i));
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }
                first.add(new String(r.value()));
                return TopicScan.Step.NEXT;
              });
      assertThat(n).isEqualTo(90);
      assertThat(first).allMatch(v -> v.startsWith("a")).doesNotHaveDuplicates();
      assertThat(values(scan, tps, Start.current()))
          .containsExactlyInAnyOrderElementsOf(
              List.of("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11"));
      assertThat(values(scan, tps, Start.current())).isEmpty();
    }
  }

  @Test
  void transactionMarkersAndAbortedRecordsDoNotHoldTheRead() throws Exception {
    String topic = topic(1);
    try (var tx = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic))) {
      tx.initTransactions();
      tx.beginTransaction();
      for (int i = 0; i < 5; i++) {
        tx.send(record(topic, 0, "kept" + i));
      }
      tx.commitTransaction();
      tx.beginTransaction();
      for (int i = 0; i < 3; i++) {
        tx.send(record(topic, 0, "aborted" + i));
      }
      tx.flush();
      tx.abortTransaction(); // the partition ends with aborted records and their marker
    }
    Map<String, Object> committedOnly = new HashMap<>(client());
    committedOnly.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    TopicPartition p0 = new TopicPartition(topic, 0);
    try (var consumer = TopicScan.consumer(committedOnly)) {
      // abortTransaction returns once the coordinator decided; it writes the markers after that, so
      // the last stable offset can still stand at the first aborted record (6) for a moment
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> consumer.endOffsets(List.of(p0)).get(p0) == 10L);
    }
    try (var consumer = TopicScan.consumer(committedOnly)) {
      TopicScan scan = new TopicScan(consumer, Duration.ofSeconds(30));
      assertThat(values(scan, scan.partitions(topic), Start.beginning()))
          .containsExactly("kept0", "kept1", "kept2", "kept3", "kept4");
      assertThat(consumer.position(p0)).isEqualTo(10);
    }
    try (var consumer = TopicScan.consumer(client())) { // read_uncommitted sees every record
      TopicScan scan = new TopicScan(consumer, Duration.ofSeconds(30));
      assertThat(values(scan, scan.partitions(topic), Start.beginning())).hasSize(8);
    }
  }

  @Test
  void startsAtATimeOrAtTheGroupsCommittedOffsets() throws Exception {
    String topic = topic(2);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    try (var producer = producer(Map.of())) {
      for (int i = 0; i < 10; i++) {
        long at = t.plusSeconds(i).toEpochMilli();
        send(producer, new ProducerRecord<>(topic, i % 2, at, null, ("v" + i).getBytes()));
      }
    }
    String group = "scan-group-" + UUID.randomUUID();
    try (var consumer = TopicScan.consumer(client(), group)) {
      TopicScan scan = new TopicScan(consumer, Duration.ofSeconds(30));
      List<TopicPartition> tps = scan.partitions(topic);
      assertThat(values(scan, tps, Start.at(t.plusSeconds(6))))
          .containsExactlyInAnyOrder("v6", "v7", "v8", "v9");
      assertThat(values(scan, tps, Start.at(t.plusSeconds(60)))).isEmpty();
      consumer.commitSync(Map.of(tps.get(0), new OffsetAndMetadata(4))); // v8 is next in 0
      assertThat(values(scan, tps, Start.committed()))
          .containsExactlyInAnyOrder("v8", "v1", "v3", "v5", "v7", "v9");
    }
  }

  @Test
  void oneRecordByItsPositionOrNoneWhereThereIsNone() throws Exception {
    String topic = topic(2);
    try (var producer = producer(Map.of())) {
      for (int i = 0; i < 3; i++) {
        send(producer, record(topic, 1, "r" + i));
      }
    }
    try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.consumer(client())) {
      TopicScan scan = new TopicScan(consumer, Duration.ofSeconds(30));
      assertThat(new String(scan.one(new TopicPartition(topic, 1), 2).value())).isEqualTo("r2");
      assertThat(scan.one(new TopicPartition(topic, 1), 3)).isNull();
      assertThat(scan.one(new TopicPartition(topic, 1), -1)).isNull();
      assertThat(scan.one(new TopicPartition(topic, 0), 0)).isNull();
      assertThat(scan.one(new TopicPartition(topic, 2), 0)).isNull();
    }
  }

  @Test
  void aTopicThatDoesNotExistHasNoPartitionsAndReadsAsEmpty() {
    try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.consumer(client())) {
      assertThat(new TopicScan(consumer, Duration.ofSeconds(10)).partitions("no-such-topic"))
          .isEmpty();
    }
    assertThat(
            TopicScan.readTopic(
                client(),
                "no-such-topic",
                Start.beginning(),
                Duration.ofSeconds(10),
                r -> TopicScan.Step.NEXT))
        .isZero();
  }
}
