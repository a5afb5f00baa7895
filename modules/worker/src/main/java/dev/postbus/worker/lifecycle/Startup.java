package dev.postbus.worker.lifecycle;

import dev.postbus.suppression.SuppressionReader;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.ops.AdminToken;
import dev.postbus.worker.ops.OpsServer;
import dev.postbus.worker.ops.ResumeAnswer;
import dev.postbus.worker.topics.TopicProvisioner;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up sequence: the health endpoints first (a supervisor sees STARTING and why), then wait
 * for Kafka, create missing topics (when allowed), build the worker, read the whole suppression
 * list, start the lanes and the consumer, and only then RUNNING (or PAUSED at once, for a guard
 * tripped before this start). A failure on the way closes what was opened and is thrown.
 */
final class Startup {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** Longest the worker reads the suppression list at start-up before it gives up. */
  private static final Duration SUPPRESSIONS_LOAD_TIMEOUT = Duration.ofMinutes(2);

  private Startup() {}

  static Worker run(WorkerConfig config, Clock clock) {
    log.info("starting worker {}", config);
    AtomicReference<Worker> created = new AtomicReference<>();
    StartupWait kafka =
        new StartupWait(
            config.bootstrapServers(),
            config.kafkaWatch().startupTimeout(),
            clock,
            d -> Thread.sleep(d.toMillis()),
            d -> KafkaProbe.problem(KafkaClients.admin(config), d),
            log::warn);
    OpsServer ops = opsServer(config, kafka, created);
    Worker worker;
    try {
      awaitKafka(kafka);
      createTopics(config);
      WorkerParts parts = new WorkerParts(config, clock);
      worker = new Worker(parts, ops, loadSuppressions(parts));
    } catch (RuntimeException e) {
      ops.close();
      throw e;
    }
    created.set(worker);
    worker.startThreads();
    if (!worker.parts().health.startRunning()) {
      log.warn("worker {}: stopping before its start-up ended", config.workerId());
      return worker; // a failure began the drain meanwhile: the worker stops with it
    }
    worker.parts().health.reconsiderPause(); // a guard tripped before this start holds it at once
    log.info(
        "worker {} running: {} connections to {}, topic {}, group {}",
        config.workerId(),
        config.lanes(),
        config.severalRelays()
            ? config.relayMode() + " " + config.relays()
            : config.relays().get(0).smtp().host() + ":" + config.relays().get(0).smtp().port(),
        config.topic(),
        config.group());
    return worker;
  }

  /** The health endpoints, answering STARTING (and what it waits for) until the worker is built. */
  private static OpsServer opsServer(
      WorkerConfig config, StartupWait kafka, AtomicReference<Worker> created) {
    return OpsServer.start(
        config.httpPort(),
        () ->
            created.get() == null
                ? WorkerHealth.status(
                    WorkerState.STARTING, kafka.waiting() == null ? "starting" : kafka.waiting())
                : created.get().status(),
        () -> created.get() == null ? "" : created.get().parts().metrics.scrape(),
        () -> created.get() == null ? ResumeAnswer.NOT_HELD : created.get().resume(),
        AdminToken.of(config.adminTokenFile()));
  }

  private static void awaitKafka(StartupWait kafka) {
    try {
      kafka.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaUnavailableException("interrupted while waiting for Kafka");
    }
  }

  private static void createTopics(WorkerConfig config) {
    if (!config.topics().autoCreate()) {
      return;
    }
    try (Admin admin = Admin.create(KafkaClients.admin(config))) {
      TopicProvisioner.ensure(
          admin,
          config.allTopics(),
          config.topics().partitions(),
          config.topics().replication(),
          config.topicConfigs());
    }
  }

  /**
   * Reads the whole suppression list before the first send, then follows it: an address one worker
   * suppresses is skipped by every other within about a second.
   */
  private static SuppressionReader loadSuppressions(WorkerParts parts) {
    WorkerConfig config = parts.config;
    long started = System.nanoTime();
    SuppressionReader reader;
    try {
      reader =
          SuppressionReader.load(
              KafkaClients.suppressionReader(config),
              config.suppressionsTopic(),
              SUPPRESSIONS_LOAD_TIMEOUT,
              parts.suppressions);
    } catch (RuntimeException e) {
      parts.closeClients();
      throw e;
    }
    reader.follow();
    log.info(
        "suppression list {}: {} addresses read in {} ms",
        config.suppressionsTopic(),
        parts.suppressions.size(),
        (System.nanoTime() - started) / 1_000_000);
    return reader;
  }
}
