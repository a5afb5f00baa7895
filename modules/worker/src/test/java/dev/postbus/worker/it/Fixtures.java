package dev.postbus.worker.it;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.job.Job;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import dev.postbus.worker.topics.TopicProvisioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the worker integration tests share: a config per test, publishing, reading a topic, stopping
 * workers.
 */
final class Fixtures implements AutoCloseable {

  static final int PARTITIONS = 6;

  final String bootstrap;
  final String topic = SharedKafka.uniqueName("jobs");
  final String group = SharedKafka.uniqueName("group");
  private final List<Worker> workers = new ArrayList<>();

  Fixtures(String bootstrap) {
    this(bootstrap, PARTITIONS, PARTITIONS, Map.of());
  }

  /**
   * With {@code partitions} per topic but the send ledger's {@code ledgerPartitions}, for workers
   * configured with {@code extra} (their retry tiers, say).
   */
  Fixtures(String bootstrap, int partitions, int ledgerPartitions, Map<String, String> extra) {
    this.bootstrap = bootstrap;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      WorkerConfig c = config(25, 1, "topics", extra);
      TopicProvisioner.ensure(
          admin, List.of(c.ledgerTopic()), ledgerPartitions, (short) 1, c.topicConfigs());
      TopicProvisioner.ensure(admin, c.allTopics(), partitions, (short) 1, c.topicConfigs());
    }
  }

  final String events = SharedKafka.uniqueName("events");

  WorkerConfig config(int smtpPort, int connections, String workerId, Map<String, String> extra) {
    Map<String, String> values =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap-servers",
                bootstrap,
                "topic",
                topic,
                "group",
                group,
                "worker.id",
                workerId,
                "smtp.host",
                "127.0.0.1",
                "smtp.port",
                Integer.toString(smtpPort),
                "smtp.tls",
                "none",
                "smtp.connections",
                Integer.toString(connections),
                "worker.commit-interval",
                "100ms",
                "smtp.reconnect-backoff",
                "100ms"));
    values.put("worker.drain-timeout", "20s");
    // A member learns of a rebalance (another worker joining or leaving) at its next heartbeat:
    // every 3 s by default, every 500 ms here, so a test's group settles within about a second.
    values.put("kafka.client.heartbeat.interval.ms", "500");
    values.put("events.topic", events);
    values.put("http.port", "0");
    values.putAll(extra);
    return WorkerConfig.from(Settings.of(values));
  }

  Worker start(WorkerConfig config) {
    Worker w = Worker.start(config);
    workers.add(w);
    return w;
  }

  static String id(String prefix, int i) {
    return prefix + "-" + i;
  }

  /** Publishes n text jobs with ids prefix-0 .. prefix-(n-1); returns once Kafka has every one. */
  void publish(String prefix, int n) {
    List<Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(
          Job.text(
              id(prefix, i),
              "sender@example.com",
              "rcpt" + (i % 50) + "@example.net",
              "Message " + i,
              "Body of message " + i));
    }
    publish(jobs);
  }

  void publish(List<Job> jobs) {
    try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of(bootstrap, topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>(jobs.size());
      jobs.forEach(j -> sent.add(publisher.publish(j)));
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
  }

  List<ConsumerRecord<byte[], byte[]>> read(String topicName, int atLeast, Duration timeout) {
    return TopicReader.read(bootstrap, topicName, atLeast, timeout);
  }

  @Override
  public void close() {
    workers.forEach(Worker::close);
  }
}
