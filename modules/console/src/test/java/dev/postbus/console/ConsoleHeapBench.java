package dev.postbus.console;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.job.PostbusHeaders;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A program, not a test: how much heap the console needs, and how long its pages take, on a large
 * dead-letter topic. It fills a dead-letter topic of an in-process broker with COUNT dead letters
 * of PAYLOAD bytes, starts the console in a JVM of its own with {@code -Xmx<HEAP>} (so the broker's
 * heap is not counted), then times the list page (first and a later page) and a preview of a replay
 * of all of them, and prints the console's heap: the peak of its heap pools (garbage included) and
 * what is left after a full GC. Usage (docs/console.md):
 *
 * <pre>
 * ./mvnw -B -q -pl modules/console -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * java -cp modules/console/target/test-classes:modules/console/target/classes:$(cat \
 *     modules/console/target/bench.classpath) dev.postbus.console.ConsoleHeapBench 100000 10240 64m
 * </pre>
 */
public final class ConsoleHeapBench {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ConsoleHeapBench() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int payload = args.length > 1 ? Integer.parseInt(args[1]) : 10_240;
    String heap = args.length > 2 ? args[2] : "64m";
    try (EmbeddedKafka kafka = EmbeddedKafka.startEphemeral()) {
      String topic = "bench.jobs";
      try (var admin = kafka.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(topic, 3, (short) 1), new NewTopic(topic + ".dlt", 3, (short) 1)))
            .all()
            .get();
      }
      long started = System.nanoTime();
      fill(kafka.bootstrapServers(), topic + ".dlt", count, payload);
      System.out.printf(
          "wrote %,d dead letters of %,d bytes (%,d MiB) in %.1f s%n",
          count, payload, (long) count * payload >> 20, seconds(started));
      Process console = console(kafka.bootstrapServers(), topic, heap);
      try (BufferedReader out =
              new BufferedReader(
                  new InputStreamReader(console.getInputStream(), StandardCharsets.UTF_8));
          PrintWriter in =
              new PrintWriter(console.getOutputStream(), true, StandardCharsets.UTF_8)) {
        String url = awaitLine(out, "ready ").substring("ready ".length());
        System.out.printf("console in its own JVM with -Xmx%s at %s%n", heap, url);
        time("list page 1", () -> get(url + "/dead-letters"));
        time("list page 1 again", () -> get(url + "/dead-letters"));
        int far = count / 100; // page 1000 of 100,000 with 50 a page: the middle of the topic
        time("list page " + far, () -> get(url + "/dead-letters?page=" + far));
        time("list page " + far + " again", () -> get(url + "/dead-letters?page=" + far));
        time(
            "list page " + far + " with an age filter (not cached: reads the topic whole)",
            () -> get(url + "/dead-letters?since=3650d&page=" + far));
        time("list filtered by class", () -> get(url + "/dead-letters?class=expired"));
        time("list filtered by class again", () -> get(url + "/dead-letters?class=expired"));
        time("preview of a replay of all", () -> preview(url));
        in.println("heap");
        System.out.println("console heap: " + awaitLine(out, "heap:"));
        in.println("quit");
      } finally {
        console.destroy();
        console.waitFor();
      }
    }
  }

  private static void fill(String bootstrap, String topic, int count, int payload)
      throws Exception {
    String text = "x".repeat(Math.max(0, payload - 160));
    String failed = Instant.now().minus(Duration.ofHours(1)).toString();
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        String id = "bench-" + i;
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(
                topic,
                id.getBytes(StandardCharsets.UTF_8),
                ("{\"schema\":1,\"id\":\""
                        + id
                        + "\",\"from\":\"shop@example.com\",\"to\":[\"user-"
                        + i
                        + "@example.net\"],\"subject\":\"s\",\"text\":\""
                        + text
                        + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        r.headers()
            .add(PostbusHeaders.CLASS, bytes(i % 10 == 0 ? "expired" : "permanent"))
            .add(PostbusHeaders.CODE, bytes("550"))
            .add(PostbusHeaders.ENHANCED_CODE, bytes("5.1.1"))
            .add(PostbusHeaders.REASON, bytes("user unknown"))
            .add(PostbusHeaders.LAST_FAILURE, bytes(failed));
        p.send(r);
      }
      p.flush();
    }
  }

  private static Process console(String bootstrap, String topic, String heap) throws Exception {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + heap,
            "-cp",
            System.getProperty("java.class.path"),
            Console.class.getName(),
            bootstrap,
            topic)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static String awaitLine(BufferedReader out, String prefix) throws Exception {
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("the console's JVM ended before saying '" + prefix + "'");
  }

  private interface Step {
    String run() throws Exception;
  }

  private static void time(String what, Step step) throws Exception {
    long started = System.nanoTime();
    String body = step.run();
    Matcher m = Pattern.compile("<strong>(\\d+)</strong>").matcher(body);
    System.out.printf(
        "%-28s %6.2f s  (%s matching)%n", what, seconds(started), m.find() ? m.group(1) : "?");
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static String preview(String url) throws Exception {
    HttpResponse<String> page =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/suppressions")).build(),
            HttpResponse.BodyHandlers.ofString());
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url + "/dead-letters/replay"))
                .timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", cookie)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "mode=filter&action=preview&csrf="
                            + cookie.substring(cookie.indexOf('=') + 1)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the preview answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The console's JVM: says "ready URL", then, for each line on stdin until "quit", the most heap
   * in use after any garbage collection so far (the live set plus what that collection left).
   */
  public static final class Console {
    private Console() {}

    public static void main(String[] args) throws Exception {
      try (ConsoleServer server =
          ConsoleServer.start(
              ConsoleConfig.builder(Map.of("bootstrap.servers", args[0]), args[1])
                  .port(0)
                  .build())) {
        AtomicLong mostAfterGc = new AtomicLong();
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
          ((NotificationEmitter) gc)
              .addNotificationListener(
                  (n, handback) -> mostAfterGc.accumulateAndGet(afterGc(n), Math::max),
                  n ->
                      n.getType()
                          .equals(
                              GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION),
                  null);
        }
        System.out.println("ready " + server.url());
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.equals("quit")) {
            return;
          }
          System.out.printf(
              "heap: %d collections; the most in use after any of them %d MiB; -Xmx %d MiB%n",
              ManagementFactory.getGarbageCollectorMXBeans().stream()
                  .mapToLong(g -> g.getCollectionCount())
                  .sum(),
              mostAfterGc.get() >> 20,
              Runtime.getRuntime().maxMemory() >> 20);
        }
      }
    }

    private static long afterGc(Notification n) {
      var heapPools =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(p -> p.getType() == MemoryType.HEAP)
              .map(MemoryPoolMXBean::getName)
              .toList();
      return GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
          .getGcInfo()
          .getMemoryUsageAfterGc()
          .entrySet()
          .stream()
          .filter(e -> heapPools.contains(e.getKey()))
          .mapToLong(e -> e.getValue().getUsed())
          .sum();
    }
  }
}
