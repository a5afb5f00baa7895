package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.testkit.SharedKafka;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's kcat example, run from a shell: a job published by a non-Java producer reaches the
 * relay.
 */
@ExtendWith(SharedKafka.class)
class KcatPublishIT {

  static boolean kcatInstalled() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, "kcat").canExecute()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void jobPublishedWithKcatIsDelivered(EmbeddedKafka kafka) throws Exception {
    assumeTrue(
        kcatInstalled(),
        "kcat is not installed (apt-get install -y kcat); skipping the kcat publishing test");
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      f.start(f.config(relay.port(), 1, "kcat-worker", Map.of()));
      String job =
          "{\"schema\":1,\"id\":\"kcat-1\",\"from\":\"a@example.com\",\"to\":[\"b@example.com\"],"
              + "\"subject\":\"Hi\",\"text\":\"Hello from kcat\"}";
      String command =
          "printf '%s\\n' \"$JOB\" | kcat -P -b \"$BROKERS\" -t \"$TOPIC\" -k kcat-1 "
              + "-X partitioner=murmur2_random";
      ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
      pb.environment().putAll(Map.of("JOB", job, "BROKERS", f.bootstrap, "TOPIC", f.topic));
      Process p = pb.start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue())
          .as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .isZero();

      await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() >= 1);
      assertThat(relay.countsByMessageId()).containsOnlyKeys("<kcat-1@example.com>");
    }
  }
}
