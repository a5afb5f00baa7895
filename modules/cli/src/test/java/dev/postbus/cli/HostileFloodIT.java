package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.FreePort;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker with a 96 MiB heap takes 200 hostile payloads of about 900 KB each (180 MB in all:
 * oversized jobs, invalid UTF-8, 450,000-deep nesting, random bytes). Every one becomes a poison
 * dead letter, the process stays alive (it is started with -XX:+ExitOnOutOfMemoryError), and a good
 * job sent afterwards is delivered: memory is bounded by the worker's buffers, not by what it is
 * fed.
 */
@ExtendWith(SharedKafka.class)
class HostileFloodIT {

  private static final int PAYLOADS = 200;
  private static final int SIZE = 900 * 1024;

  @Test
  void largeHostilePayloadsBecomeDeadLettersWithinABoundedHeap(EmbeddedKafka kafka)
      throws Exception {
    int httpPort = FreePort.pick();
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> env =
          MinimalWorker.environment(kafka.bootstrapServers(), relay.port(), "flood");
      String topic = env.get("POSTBUS_TOPIC");
      env.put("POSTBUS_SMTP_CONNECTIONS", "4");
      env.put("POSTBUS_HTTP_PORT", Integer.toString(httpPort));
      env.put("POSTBUS_JOB_MAX_BYTES", Integer.toString(512 * 1024));
      // The buffers that bound the heap (docs/operations.md): the dispatch queue, what one fetch
      // may bring,
      // and what the producers may hold: about 40 + 8 + 2 × 8 + 2 × 8 MiB here.
      env.put("POSTBUS_WORKER_QUEUE_BYTES", Integer.toString(8 * 1024 * 1024));
      env.put("POSTBUS_KAFKA_CLIENT_FETCH_MAX_BYTES", Integer.toString(8 * 1024 * 1024));
      env.put("POSTBUS_KAFKA_CLIENT_BUFFER_MEMORY", Integer.toString(8 * 1024 * 1024));
      try (WorkerProcess worker = WorkerProcess.startAsUsersRunIt(env, "96m")) {
        worker.awaitLog("assigned", Duration.ofSeconds(60));
        flood(kafka.bootstrapServers(), topic);

        await()
            .atMost(Duration.ofMinutes(3))
            .until(() -> !worker.alive() || poisonCount(httpPort) >= PAYLOADS);
        assertThat(worker.alive())
            .as("the worker survived; its log ends with:%n%s", tail(worker.log()))
            .isTrue();
        try (JobPublisher publisher =
            JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
          publisher
              .publish(
                  Job.text(
                      "after-flood", "shop@example.com", "bob@example.net", "Still here", "Hello"))
              .join();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() == 1);

        assertThat(worker.alive())
            .as("the worker survived 180 MB of hostile input in a 96 MiB heap")
            .isTrue();
        assertThat(poisonCount(httpPort)).isEqualTo(PAYLOADS);
        assertThat(relay.countsByMessageId()).containsOnlyKeys("<after-flood@example.com>");
      }
    }
  }

  /** Four kinds, round robin, each about 900 KB. */
  private static void flood(String bootstrap, String topic) {
    Random random = new Random(42);
    Map<String, Object> props =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Integer.toString(2 * SIZE),
            ProducerConfig.ACKS_CONFIG,
            "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < PAYLOADS; i++) {
        byte[] payload =
            switch (i % 4) {
              case 0 ->
                  ("{\"schema\":1,\"id\":\"big-"
                          + i
                          + "\",\"from\":\"a@example.com\",\"to\":[\"b@example.net\"],"
                          + "\"subject\":\"s\",\"text\":\""
                          + "x".repeat(SIZE)
                          + "\"}")
                      .getBytes(StandardCharsets.UTF_8);
              case 1 -> {
                byte[] b = new byte[SIZE];
                Arrays.fill(b, (byte) 0xC3); // a lead byte never followed by a continuation byte
                yield b;
              }
              case 2 ->
                  ("[".repeat(SIZE / 2) + "]".repeat(SIZE / 2)).getBytes(StandardCharsets.UTF_8);
              default -> {
                byte[] b = new byte[SIZE];
                random.nextBytes(b);
                yield b;
              }
            };
        producer.send(
            new ProducerRecord<>(topic, ("flood-" + i).getBytes(StandardCharsets.UTF_8), payload));
      }
      producer.flush();
    }
  }

  private static String tail(String log) {
    return log.substring(Math.max(0, log.length() - 3000));
  }

  private static long poisonCount(int port) throws Exception {
    HttpResponse<String> r;
    try {
      r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException notListening) {
      return -1;
    }
    Matcher m =
        Pattern.compile("postbus_dead_letters_total\\{class=\"poison\"[^}]*\\} ([0-9.]+)")
            .matcher(r.body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}
