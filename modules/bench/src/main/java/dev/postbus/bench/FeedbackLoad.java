package dev.postbus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.feedback.FeedbackServer;
import dev.postbus.feedback.config.FeedbackConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * How many signed SNS notifications per second {@code postbus feedback} takes: each a SES Permanent
 * bounce signed with SignatureVersion 2 by a certificate made for the run (served over https,
 * allowed only through the builder's test hook), each answered 200 only after the in-process broker
 * acknowledged its three records (feedback, suppression, event) with acks=all. The notifications
 * are signed before the clock starts. Prints figures; asserts nothing.
 */
public final class FeedbackLoad {

  private static final String ARN = "arn:aws:sns:eu-west-1:123456789012:postbus-bench";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WARM_UP = 500;
  private static final String CLIENT_THREAD = "bench-client-";

  /** The headers SNS sends with a notification (besides its x-amz-sns-message-id and such). */
  private static final String SNS_HEADERS =
      "x-amz-sns-message-type: Notification\r\n"
          + "x-amz-sns-topic-arn: "
          + ARN
          + "\r\nContent-Type: text/plain; charset=UTF-8\r\n";

  private final int notifications;
  private final int clients;
  private final PrintStream out;

  public FeedbackLoad(int notifications, int clients, PrintStream out) {
    if (notifications < 1 || clients < 1) {
      throw new IllegalArgumentException("--notifications and --clients must be at least 1");
    }
    this.notifications = notifications;
    this.clients = clients;
    this.out = out;
  }

  public void run() throws Exception {
    try (BenchCertificate cert = new BenchCertificate();
        EmbeddedKafka kafka = EmbeddedKafka.startEphemeral()) {
      String topic = "bench.jobs";
      String events = "bench.events";
      kafka
          .admin()
          .createTopics(
              List.of(
                  new NewTopic(topic + ".suppressions", 6, (short) 1),
                  new NewTopic(events, 6, (short) 1)))
          .all()
          .get();
      FeedbackConfig config =
          FeedbackConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
              .port(0)
              .eventsTopic(events)
              .sesTopicArns(List.of(ARN))
              .dedupeEntries(Math.max(1000, 2 * (notifications + WARM_UP)))
              .certificateSourceForTests(Pattern.compile("localhost"), cert.clientContext())
              .build();
      out.printf("signing %d notifications...%n", notifications + WARM_UP);
      List<String> bodies = sign(cert, notifications + WARM_UP);
      try (FeedbackServer server = FeedbackServer.start(config)) {
        URI uri = URI.create(server.url() + "/feedback/ses");
        List<byte[]> requests =
            bodies.stream().map(b -> KeepAliveClient.post(uri, SNS_HEADERS, b)).toList();
        post(uri, requests.subList(0, WARM_UP), ThreadCpu.now());
        long cpuBefore = processCpuNanos();
        ThreadCpu threads = ThreadCpu.now();
        long started = System.nanoTime();
        Posted posted = post(uri, requests.subList(WARM_UP, requests.size()), threads);
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpu = (processCpuNanos() - cpuBefore) / 1e9;
        report(seconds, cpu, posted.failed());
        parts(cpu, posted.parts());
        producerBatching();
      }
    }
  }

  private void report(double seconds, double cpu, int failed) {
    out.printf(
        Locale.ROOT,
        "feedback receiver: %d signed SNS notifications (SES Permanent bounces, SignatureVersion"
            + " 2, 3 records each, acks=all) from %d clients in %.2f s: %.0f notifications/s;"
            + " %d not answered 200%n",
        notifications,
        clients,
        seconds,
        notifications / seconds,
        failed);
    out.printf(
        Locale.ROOT,
        "process CPU: %.2f s in all, %.2f CPU seconds per 1,000 notifications (receiver, broker and"
            + " clients share the JVM)%n",
        cpu,
        cpu * 1000 / notifications);
  }

  /** The CPU of each part of the process per 1,000 notifications (threads told apart by name). */
  private void parts(double cpu, Map<ThreadCpu.Part, Double> parts) {
    double java = 0;
    for (Map.Entry<ThreadCpu.Part, Double> p : parts.entrySet()) {
      java += p.getValue();
      out.printf(
          Locale.ROOT,
          "  %.2f CPU s per 1,000: %s%n",
          p.getValue() * 1000 / notifications,
          p.getKey().label);
    }
    out.printf(
        Locale.ROOT,
        "  %.2f CPU s per 1,000: not in a Java thread's time (GC, JIT compiler; and a thread that"
            + " ended, since its last sample)%n",
        Math.max(0, cpu - java) * 1000 / notifications);
  }

  /** How many posts were not answered 200, and the CPU each part used until the last answer. */
  private record Posted(int failed, Map<ThreadCpu.Part, Double> parts) {}

  /**
   * How many records the receiver's producer put in each request to the broker (its JMX metrics,
   * averaged over Kafka's last sample windows): one request in flight still carries the records of
   * every request waiting meanwhile.
   */
  private void producerBatching() {
    try {
      javax.management.MBeanServer jmx =
          java.lang.management.ManagementFactory.getPlatformMBeanServer();
      javax.management.ObjectName name =
          new javax.management.ObjectName(
              "kafka.producer:type=producer-metrics,client-id=postbus-feedback");
      out.printf(
          Locale.ROOT,
          "receiver's producer: %.1f records per request to the broker (Kafka's average over its"
              + " recent sample windows; one request in flight)%n",
          (Double) jmx.getAttribute(name, "records-per-request-avg"));
    } catch (Exception e) {
      out.println("receiver's producer: no metrics (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** This JVM's CPU time (every thread, the broker's and the clients' too). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Posts every request from {@link #clients} threads, each over its own keep-alive connection;
   * says how many were not answered 200 and what each part of the process used since {@code cpu}
   * (measured before the client threads end).
   */
  private Posted post(URI uri, List<byte[]> requests, ThreadCpu cpu) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger named = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            clients, r -> new Thread(r, CLIENT_THREAD + named.incrementAndGet()));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(
            pool.submit(
                () -> {
                  try (KeepAliveClient http = new KeepAliveClient(uri)) {
                    for (int i = next.getAndIncrement();
                        i < requests.size();
                        i = next.getAndIncrement()) {
                      if (http.send(requests.get(i)) != 200) {
                        failed.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      return new Posted(failed.get(), cpu.since(CLIENT_THREAD));
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<String> sign(BenchCertificate cert, int count) {
    Instant now = Instant.now();
    return IntStream.range(0, count)
        .parallel()
        .mapToObj(i -> signed(notification(i, now, cert.url()), cert.keys.getPrivate()))
        .toList();
  }

  private static ObjectNode notification(int i, Instant at, String certUrl) {
    String recipient = "user" + i + "@bench" + (i % 100) + ".example";
    String message =
        ("{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\","
                + "\"bounceSubType\":\"General\",\"bouncedRecipients\":[{\"emailAddress\":\"%s\","
                + "\"action\":\"failed\",\"status\":\"5.1.1\","
                + "\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\"}],"
                + "\"timestamp\":\"%s\"},\"mail\":{\"timestamp\":\"%s\","
                + "\"messageId\":\"0102018c-bench-%d-000000\",\"destination\":[\"%s\"],"
                + "\"commonHeaders\":{\"messageId\":\"<bench-%d@example.com>\"}}}")
            .formatted(recipient, at, at, i, recipient, i);
    ObjectNode n = JSON.createObjectNode();
    n.put("Type", "Notification");
    n.put("MessageId", "bench-" + i);
    n.put("TopicArn", ARN);
    n.put("Message", message);
    n.put("Timestamp", at.toString());
    n.put("SigningCertURL", certUrl);
    return n;
  }

  /**
   * SignatureVersion 2 (SHA256withRSA) over SNS's canonical string of a notification: the signed
   * JSON body, as SNS posts it.
   */
  public static String signed(ObjectNode n, PrivateKey key) {
    StringBuilder canonical = new StringBuilder();
    for (String f : List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")) {
      if (n.hasNonNull(f)) {
        canonical.append(f).append('\n').append(n.get(f).asText()).append('\n');
      }
    }
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
      n.put("SignatureVersion", "2");
      n.put("Signature", Base64.getEncoder().encodeToString(s.sign()));
      return JSON.writeValueAsString(n);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
