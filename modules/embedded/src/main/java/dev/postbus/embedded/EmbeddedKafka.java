package dev.postbus.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running in this JVM on
 * loopback. What {@code kafka-storage format --standalone} and {@code kafka-server-start} do,
 * without scripts.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final Path dataDir;
  private final boolean deleteOnClose;
  private boolean closed;

  private EmbeddedKafka(
      KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean deleteOnClose) {
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
  }

  /** A throw-away broker on free ports with its data in a temporary folder deleted on close. */
  public static EmbeddedKafka startEphemeral() {
    try {
      return start(
          Files.createTempDirectory("postbus-kafka-"), FreePort.pick(), FreePort.pick(), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A broker whose data lives in {@code dataDir} (formatted on first use, reused afterwards). The
   * controller port must stay the same across restarts of the same data.
   */
  public static EmbeddedKafka start(
      Path dataDir, int brokerPort, int controllerPort, boolean deleteOnClose) {
    long started = System.nanoTime();
    try {
      Files.createDirectories(dataDir);
      Path logDir = dataDir.resolve("data");
      Path configFile = dataDir.resolve("server.properties");
      Properties props = properties(logDir, brokerPort, controllerPort);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        props.store(out, "Postbus embedded broker");
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(configFile);
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
      server.startup();
      String bootstrap = "127.0.0.1:" + brokerPort;
      EmbeddedKafka kafka = new EmbeddedKafka(server, bootstrap, dataDir, deleteOnClose);
      kafka.awaitReady();
      log.info(
          "Kafka broker ready on {} in {} ms (data in {})",
          bootstrap,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          dataDir);
      return kafka;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare broker data in " + dataDir, e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  static Properties properties(Path logDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    p.put("log.dirs", logDir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "6");
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    return p;
  }

  private static void format(Path configFile) {
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "--standalone", "-t", clusterId, "-c", configFile.toString()},
              out);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting the broker storage failed ("
              + rc
              + "): "
              + buffer.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            close();
            throw new IllegalStateException(
                "Kafka broker on " + bootstrapServers + " not ready within " + READY_TIMEOUT, e);
          }
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }
}
