package dev.postbus.testkit;

import dev.postbus.embedded.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Three (or more) Kafka nodes, each a separate JVM ({@code kafka.Kafka}) on loopback, each both
 * broker and controller, replication 3 and {@code min.insync.replicas=2} by default: for fail-over
 * tests that SIGKILL a broker. Fencing timeouts are short so that a dead broker loses its
 * leaderships in seconds.
 */
public final class BrokerCluster implements AutoCloseable {

  private static final long READY_SECONDS = 120;

  private final Path dir;
  private final List<Process> nodes;
  private final List<Integer> brokerPorts;

  private BrokerCluster(Path dir, List<Process> nodes, List<Integer> brokerPorts) {
    this.dir = dir;
    this.nodes = nodes;
    this.brokerPorts = brokerPorts;
  }

  public static BrokerCluster start(int size) {
    try {
      Path dir = Files.createTempDirectory("postbus-cluster-");
      List<Integer> brokerPorts = new ArrayList<>();
      List<Integer> controllerPorts = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        brokerPorts.add(FreePort.pick());
        controllerPorts.add(FreePort.pick());
      }
      String voters =
          Stream.iterate(0, i -> i + 1)
              .limit(size)
              .map(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i))
              .collect(Collectors.joining(","));
      String clusterId = Uuid.randomUuid().toString();
      List<Process> nodes = new ArrayList<>();
      BrokerCluster cluster = new BrokerCluster(dir, nodes, brokerPorts);
      for (int i = 0; i < size; i++) {
        Path nodeDir = Files.createDirectories(dir.resolve("node-" + (i + 1)));
        Path config = nodeDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
          properties(
                  i + 1,
                  brokerPorts.get(i),
                  controllerPorts.get(i),
                  voters,
                  nodeDir.resolve("data"),
                  size)
              .store(out, "Postbus test cluster node " + (i + 1));
        }
        format(config, clusterId);
        nodes.add(launch(config, nodeDir.resolve("node.log").toFile()));
      }
      cluster.awaitReady(size);
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Properties properties(
      int nodeId, int brokerPort, int controllerPort, String voters, Path logDir, int size) {
    String replication = Integer.toString(Math.min(3, size));
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(nodeId));
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.quorum.voters", voters);
    p.put("log.dirs", logDir.toString());
    p.put("default.replication.factor", replication);
    p.put("min.insync.replicas", "2");
    p.put("offsets.topic.replication.factor", replication);
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", replication);
    p.put("transaction.state.log.min.isr", "2");
    p.put("share.coordinator.state.topic.replication.factor", replication);
    p.put("share.coordinator.state.topic.min.isr", "2");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("broker.session.timeout.ms", "3000");
    p.put("broker.heartbeat.interval.ms", "500");
    return p;
  }

  private static void format(Path config, String clusterId) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      rc =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", config.toString()}, out);
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "formatting "
              + config
              + " failed ("
              + rc
              + "): "
              + buffer.toString(StandardCharsets.UTF_8));
    }
  }

  private static Process launch(Path config, File log) throws IOException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-cp",
            System.getProperty("java.class.path"),
            "kafka.Kafka",
            config.toString());
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
  }

  private void awaitReady(int size) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
    try (Admin admin = admin()) {
      while (true) {
        try {
          if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == size) {
            return;
          }
        } catch (Exception notYet) {
          // keep trying until the deadline
        }
        if (System.nanoTime() > deadline || nodes.stream().anyMatch(n -> !n.isAlive())) {
          close();
          throw new IllegalStateException(
              "the " + size + "-node test cluster did not come up within " + READY_SECONDS + " s");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
  }

  public String bootstrapServers() {
    return brokerPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** The node id of the leader of a partition. */
  public int leaderOf(String topic, int partition) {
    try (Admin admin = admin()) {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(topic)
          .partitions()
          .get(partition)
          .leader()
          .id();
    } catch (Exception e) {
      throw new IllegalStateException("cannot find the leader of " + topic + "-" + partition, e);
    }
  }

  /** SIGKILL to one node (ids start at 1). */
  public void kill(int nodeId) throws InterruptedException {
    Process p = nodes.get(nodeId - 1);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    for (Process p : nodes) {
      p.destroyForcibly();
    }
    for (Process p : nodes) {
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is not worth failing a test for
    }
  }
}
