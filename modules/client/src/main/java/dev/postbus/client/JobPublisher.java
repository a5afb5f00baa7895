package dev.postbus.client;

import dev.postbus.job.InvalidJobException;
import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.kafka.DurableProducer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes jobs to the jobs topic, a bulk job ({@link dev.postbus.job.JobClass#BULK}) to {@code
 * <topic>.bulk}. Every job is validated first (an invalid job fails its future with {@link
 * InvalidJobException} and is never sent), gets an id when it has none, and is keyed by that id.
 * The producer is idempotent with acks=all; a returned future completes only when Kafka has the
 * record and fails when it does not — check it. Thread-safe; close it when done.
 *
 * <pre>{@code
 * try (JobPublisher publisher = JobPublisher.create(PublisherConfig.of("localhost:9092", "postbus.jobs"))) {
 *   PublishReceipt receipt = publisher.publish(Job.text(null, "a@example.com", "b@example.com", "Hi", "Hello")).join();
 * }
 * }</pre>
 */
public final class JobPublisher implements AutoCloseable {

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final JobCodec codec;

  JobPublisher(Producer<String, byte[]> producer, String topic, JobCodec codec) {
    this.producer = producer;
    this.topic = topic;
    this.codec = codec;
  }

  public static JobPublisher create(PublisherConfig config) {
    return new JobPublisher(
        new KafkaProducer<>(
            producerProperties(config), new StringSerializer(), new ByteArraySerializer()),
        config.topic(),
        new JobCodec(config.limits()));
  }

  /** The producer settings that make a publish durable; user settings cannot override them. */
  static Map<String, Object> producerProperties(PublisherConfig config) {
    Map<String, Object> p = DurableProducer.settings(config.kafka());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.putIfAbsent(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(config.limits().maxPayloadBytes() + 64 * 1024));
    return p;
  }

  /** Validates, adds an id when absent, publishes. */
  public CompletableFuture<PublishReceipt> publish(Job job) {
    Job withId = job.id() == null ? job.withId(newId()) : job;
    try {
      codec.validator().validate(withId);
    } catch (InvalidJobException e) {
      return CompletableFuture.failedFuture(e);
    }
    return send(withId.jobClass().topic(topic), withId.id(), codec.encode(withId));
  }

  /**
   * Publishes a job given as JSON text (one NDJSON line, say): parsed, given an id when absent,
   * validated.
   */
  public CompletableFuture<PublishReceipt> publishJson(String json) {
    try {
      Job job = codec.parse(json.getBytes(StandardCharsets.UTF_8));
      return publish(job);
    } catch (InvalidJobException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<PublishReceipt> send(String topic, String id, byte[] payload) {
    CompletableFuture<PublishReceipt> result = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, id, payload),
          (metadata, error) -> {
            if (error != null) {
              result.completeExceptionally(new PublishException(id, topic, error));
            } else {
              result.complete(
                  new PublishReceipt(
                      id, metadata.topic(), metadata.partition(), metadata.offset()));
            }
          });
    } catch (RuntimeException e) {
      result.completeExceptionally(new PublishException(id, topic, e));
    }
    return result;
  }

  /** Sends what is buffered now instead of after the linger time. */
  public void flush() {
    producer.flush();
  }

  static String newId() {
    return UUID.randomUUID().toString();
  }

  @Override
  public void close() {
    producer.close();
  }
}
