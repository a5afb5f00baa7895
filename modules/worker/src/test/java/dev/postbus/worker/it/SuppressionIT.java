package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.suppression.Source;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionWriter;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The suppression list with real workers, a real broker and a real SMTP server. */
@ExtendWith(SharedKafka.class)
class SuppressionIT {

  /** Refuses gone@… with 550 5.1.1 and counts every RCPT the relay is offered, by address. */
  static final class CountingRelay implements Faults {
    final Map<String, AtomicInteger> offered = new ConcurrentHashMap<>();

    @Override
    public Reply recipient(String address) {
      offered.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
      return address.startsWith("gone") ? new Reply(550, "5.1.1 User unknown") : null;
    }

    int offered(String address) {
      AtomicInteger n = offered.get(address);
      return n == null ? 0 : n.get();
    }
  }

  @Test
  void anAddressThatBouncedIsNotMailedAgainByAnyWorkerOfTheGroup(EmbeddedKafka kafka) {
    CountingRelay faults = new CountingRelay();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      Worker a = f.start(f.config(relay.port(), 2, "a", Map.of()));
      Worker b = f.start(f.config(relay.port(), 2, "b", Map.of()));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.ownedPartitions() > 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> b.ownedPartitions() > 0);

      f.publish(List.of(Job.text("first", "shop@example.com", "gone@example.net", "s", "t")));
      List<ConsumerRecord<byte[], byte[]>> first =
          f.read(f.topic + ".dlt", 1, Duration.ofSeconds(30));
      assertThat(Fixtures.header(first.get(0), PostbusHeaders.CLASS)).isEqualTo("permanent");
      // Whichever worker saw the bounce, both hold the address within about a second.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.suppressions().size() == 1 && b.suppressions().size() == 1);

      List<Job> again = new ArrayList<>();
      for (int i = 0; i < 24; i++) { // spread over every partition, so both workers get some
        again.add(Job.text("again-" + i, "shop@example.com", "Gone@Example.net", "s", "t"));
      }
      f.publish(again);
      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", 25, Duration.ofSeconds(30));

      // the first bounce, and 24 skipped: the records of six partitions come in no set order
      assertThat(dead)
          .filteredOn(r -> "permanent".equals(Fixtures.header(r, PostbusHeaders.CLASS)))
          .hasSize(1);
      assertThat(dead)
          .filteredOn(r -> "suppressed".equals(Fixtures.header(r, PostbusHeaders.CLASS)))
          .hasSize(24)
          .allSatisfy(
              r ->
                  assertThat(Fixtures.header(r, PostbusHeaders.REASON))
                      .isEqualTo("suppressed: RCPT refused with 550 5.1.1"));
      assertThat(faults.offered("gone@example.net")).isEqualTo(1);
      assertThat(
              a.suppressions().suppressed(Source.BOUNCE)
                  + b.suppressions().suppressed(Source.BOUNCE))
          .isEqualTo(24);
      assertThat(a.stats().snapshot().deadLettered() > 0 && b.stats().snapshot().deadLettered() > 0)
          .as("both workers dead-lettered some of them")
          .isTrue();
      List<ConsumerRecord<byte[], byte[]>> entries =
          f.read(f.topic + ".suppressions", 1, Duration.ofSeconds(10));
      assertThat(new String(entries.get(0).key(), StandardCharsets.UTF_8))
          .isEqualTo("gone@example.net");
      assertThat(new String(entries.get(0).value(), StandardCharsets.UTF_8))
          .contains("\"code\":550", "\"enhancedCode\":\"5.1.1\"", "\"source\":\"bounce\"");
    }
  }

  @Test
  void aSuppressedRecipientIsTakenOutAndTheOthersGetTheMail(EmbeddedKafka kafka) throws Exception {
    CountingRelay faults = new CountingRelay();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      suppress(f, "held@example.net", "asked us to stop");
      f.start(f.config(relay.port(), 1, "partial", Map.of()));

      f.publish(
          List.of(
              new Job(
                  1,
                  "two",
                  MailAddress.of("shop@example.com"),
                  null,
                  List.of(MailAddress.of("ok@example.net"), MailAddress.of("held@example.net")),
                  null,
                  null,
                  "s",
                  "t",
                  null,
                  null,
                  null,
                  null,
                  null,
                  null)));

      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", 1, Duration.ofSeconds(30));
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.CLASS)).isEqualTo("suppressed");
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.RECIPIENTS))
          .isEqualTo("[\"held@example.net\"]");
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.REASON))
          .isEqualTo("suppressed: asked us to stop");
      await().atMost(Duration.ofSeconds(10)).until(() -> relay.received() == 1);
      assertThat(relay.recent(10).get(0).recipients()).containsExactly("ok@example.net");
      assertThat(faults.offered("held@example.net")).isZero();
      List<String> events =
          f.read(f.events, 2, Duration.ofSeconds(10)).stream()
              .map(r -> new String(r.value(), StandardCharsets.UTF_8))
              .toList();
      assertThat(events)
          .anySatisfy(e -> assertThat(e).contains("\"type\":\"suppressed\""))
          .anySatisfy(e -> assertThat(e).contains("\"type\":\"delivered\""));
    }
  }

  @Test
  void aStartingWorkerReadsTheWholeListBeforeItsFirstSend(EmbeddedKafka kafka) throws Exception {
    CountingRelay faults = new CountingRelay();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(faults);
      List<Job> jobs = new ArrayList<>();
      List<String> held = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        held.add("held" + i + "@example.net");
        jobs.add(Job.text("held-" + i, "shop@example.com", "held" + i + "@example.net", "s", "t"));
      }
      suppress(f, held, "imported");
      f.publish(jobs); // waiting in Kafka before the worker starts: its first polls find them

      Worker w = f.start(f.config(relay.port(), 4, "restart", Map.of()));
      assertThat(w.suppressions().size()).isEqualTo(200); // read before start() returned
      f.read(f.topic + ".dlt", 200, Duration.ofSeconds(30));

      assertThat(faults.offered).isEmpty();
      assertThat(relay.received()).isZero();
      assertThat(w.stats().snapshot().deadLettered()).isEqualTo(200);
    }
  }

  @Test
  void aMalformedRecordIsSkippedAndCountedAndTheReaderGoesOn(EmbeddedKafka kafka) throws Exception {
    CountingRelay faults = new CountingRelay();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers());
        KafkaProducer<byte[], byte[]> producer = producer(f)) {
      relay.faults(faults);
      String topic = f.topic + ".suppressions";
      producer.send(new ProducerRecord<>(topic, bytes("x@example.net"), bytes("{not json"))).get();
      producer.send(new ProducerRecord<>(topic, bytes("not an address"), bytes("{}"))).get();
      suppress(f, "held@example.net", "before");
      Worker w = f.start(f.config(relay.port(), 1, "malformed", Map.of()));
      assertThat(w.suppressions().malformedRecords()).isEqualTo(2);
      assertThat(w.suppressions().size()).isEqualTo(1);

      // and while following: garbage, then a good record, then a removal
      producer.send(new ProducerRecord<>(topic, bytes("y@example.net"), bytes("[]"))).get();
      suppress(f, "later@example.net", "after");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> w.suppressions().size() == 2 && w.suppressions().malformedRecords() == 3);
      producer.send(new ProducerRecord<>(topic, bytes("held@example.net"), null)).get();
      await().atMost(Duration.ofSeconds(5)).until(() -> w.suppressions().size() == 1);

      f.publish(List.of(Job.text("now-ok", "shop@example.com", "held@example.net", "s", "t")));
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.received() == 1);
    }
  }

  private static void suppress(Fixtures f, String address, String reason) throws Exception {
    suppress(f, List.of(address), reason);
  }

  private static void suppress(Fixtures f, List<String> addresses, String reason) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer(f)) {
      SuppressionWriter writer = new SuppressionWriter(producer, f.topic + ".suppressions");
      for (String address : addresses) {
        writer.add(
            new Suppression(address, reason, null, null, Source.OPERATOR, Instant.now(), null));
      }
      producer.flush();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Fixtures f) {
    return new KafkaProducer<>(
        dev.postbus.kafka.DurableProducer.settings(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, f.bootstrap)),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
