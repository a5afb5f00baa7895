package dev.postbus.worker.topics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Postbus uses when they are missing, and warns about an existing one whose
 * largest record (max.message.bytes) is below what the worker may write to it.
 */
public final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final long TIMEOUT_SECONDS = 30;

  /** How long the check of existing topics' max.message.bytes may take. */
  static final long CHECK_TIMEOUT_SECONDS = 10;

  static final String MAX_MESSAGE_BYTES = "max.message.bytes";

  private TopicProvisioner() {}

  /** Creates each missing topic; returns the names it created. */
  public static List<String> ensure(
      Admin admin, List<String> topics, int partitions, short replication) {
    return ensure(admin, topics, partitions, replication, Map.of());
  }

  /**
   * Creates each missing topic, with the given topic settings where there are any; returns the
   * names it created.
   */
  public static List<String> ensure(
      Admin admin,
      List<String> topics,
      int partitions,
      short replication,
      Map<String, Map<String, String>> configs) {
    try {
      Set<String> existing =
          new HashSet<>(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      List<NewTopic> missing = new ArrayList<>();
      for (String t : topics) {
        if (!existing.contains(t)) {
          missing.add(
              new NewTopic(t, partitions, replication).configs(configs.getOrDefault(t, Map.of())));
        }
      }
      List<String> created = new ArrayList<>();
      List<NewTopic> refused = create(admin, missing, created, existing);
      if (!refused.isEmpty()) {
        List<NewTopic> plain = new ArrayList<>();
        for (NewTopic t : refused) {
          Map<String, String> without = new HashMap<>(t.configs());
          without.remove(MAX_MESSAGE_BYTES);
          plain.add(new NewTopic(t.name(), partitions, replication).configs(Map.copyOf(without)));
        }
        create(admin, plain, created, existing); // nothing left to refuse: a failure throws
      }
      checkLargestRecords(admin, topics, existing, configs);
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create topics " + topics + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka did not answer within "
              + TIMEOUT_SECONDS
              + " s while checking topics "
              + topics
              + "; is kafka.bootstrap-servers right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }

  /**
   * Creates {@code topics}, adding the name of each one made to {@code created}, and of each one
   * found made meanwhile (not yet listed, or by another worker) to {@code existing}. Returns those
   * the cluster refused for their max.message.bytes (a managed cluster's create-topic policy or
   * cap), each named in a warning, to be made again without it: as before the worker asked for it.
   */
  private static List<NewTopic> create(
      Admin admin, List<NewTopic> topics, List<String> created, Set<String> existing)
      throws ExecutionException, TimeoutException, InterruptedException {
    Map<String, NewTopic> byName = new HashMap<>();
    topics.forEach(t -> byName.put(t.name(), t));
    List<NewTopic> refused = new ArrayList<>();
    for (var e : admin.createTopics(topics).values().entrySet()) {
      NewTopic t = byName.get(e.getKey());
      try {
        e.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        created.add(e.getKey());
        log.info(
            "created topic {} ({} partitions, replication {})",
            e.getKey(),
            t.numPartitions(),
            t.replicationFactor());
      } catch (ExecutionException ex) {
        if (ex.getCause() instanceof TopicExistsException) {
          existing.add(e.getKey()); // its max.message.bytes is checked as an existing one's
          continue;
        }
        if (!refusedForLargestRecord(t, ex.getCause())) {
          throw ex;
        }
        warnCreatedWithout(t, ex.getCause());
        refused.add(t);
      }
    }
    return refused;
  }

  private static boolean refusedForLargestRecord(NewTopic t, Throwable cause) {
    return (cause instanceof PolicyViolationException
            || cause instanceof InvalidConfigurationException)
        && t.configs() != null
        && t.configs().containsKey(MAX_MESSAGE_BYTES);
  }

  private static void warnCreatedWithout(NewTopic t, Throwable cause) {
    log.warn(
        "the cluster's policy or limits refused topic {} with max.message.bytes={} ({}: {});"
            + " creating it without, at the broker's default (about 1 MiB unless raised): a retry"
            + " record larger than that is refused and its job dead-lettered instead, a dead letter"
            + " that large is written without its payload; raise the topic's max.message.bytes as"
            + " far as the cluster allows",
        t.name(),
        t.configs().get(MAX_MESSAGE_BYTES),
        cause.getClass().getSimpleName(),
        cause.getMessage());
  }

  /**
   * Warns, naming the topic and the value to set, about each existing topic (made before the worker
   * gave it a larger max.message.bytes, or by hand) that takes smaller records than {@code configs}
   * asks for: a retry record or dead letter that large would be refused. One describeConfigs call,
   * at most {@link #CHECK_TIMEOUT_SECONDS} (the request's own deadline too), each topic judged on
   * its own; nothing is refused or altered. An interrupt stops start-up, as in the creation.
   */
  private static void checkLargestRecords(
      Admin admin,
      List<String> topics,
      Set<String> existing,
      Map<String, Map<String, String>> configs) {
    Map<ConfigResource, Long> wanted = new HashMap<>();
    for (String t : topics) {
      String v = configs.getOrDefault(t, Map.of()).get(MAX_MESSAGE_BYTES);
      if (v != null && existing.contains(t)) {
        wanted.put(new ConfigResource(ConfigResource.Type.TOPIC, t), Long.parseLong(v));
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    // the request carries its own deadline: one given up on by get() alone would keep the admin's
    // close() waiting for Kafka's default minute
    Map<ConfigResource, KafkaFuture<Config>> answers =
        admin
            .describeConfigs(
                wanted.keySet(),
                new DescribeConfigsOptions().timeoutMs((int) (CHECK_TIMEOUT_SECONDS * 1000)))
            .values();
    long due = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHECK_TIMEOUT_SECONDS);
    List<String> unread = new ArrayList<>();
    String why = null;
    for (Map.Entry<ConfigResource, Long> w : wanted.entrySet()) { // each judged on its own
      try {
        Config config =
            answers.get(w.getKey()).get(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        warnIfSmaller(w.getKey().name(), config, w.getValue());
      } catch (ExecutionException | TimeoutException e) {
        unread.add(w.getKey().name());
        why =
            e instanceof ExecutionException
                ? e.getCause().toString()
                : "no answer within " + CHECK_TIMEOUT_SECONDS + " s";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking topics", e);
      }
    }
    if (!unread.isEmpty()) {
      log.warn(
          "could not read the max.message.bytes of topics {} ({}); not checked",
          unread.stream().sorted().toList(),
          why);
    }
  }

  private static void warnIfSmaller(String topic, Config config, long least) {
    ConfigEntry e = config == null ? null : config.get(MAX_MESSAGE_BYTES);
    if (e == null || e.value() == null) {
      return;
    }
    long has = Long.parseLong(e.value());
    if (has < least) {
      log.warn(
          "topic {} has max.message.bytes={}, below the {} bytes a record the worker writes there"
              + " may take (job.max-bytes + 64 KiB): such a retry record or dead letter is refused"
              + " (a dead letter is then written without its payload); set the topic's"
              + " max.message.bytes to {}",
          topic,
          has,
          least,
          least);
    }
  }
}
