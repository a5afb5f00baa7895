package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code postbus demo --json}: every job accounted for, exit 0, the report as JSON on the last
 * line.
 */
class DemoIT {

  @Test
  void demoShowsRetriesDeadLettersAndReplayAndEndsWithEveryJobDelivered() throws Exception {
    CliIT.Result r =
        CliIT.postbus(Map.of(), null, "demo", "--jobs", "300", "--connections", "3", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().strip().lines().toList();
    JsonNode report = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(report.get("published").asInt()).isEqualTo(300);
    assertThat(report.get("delivered").asInt()).isEqualTo(300);
    // 300 jobs: every 20th recipient refused (550 5.1.1), every 10th message refused once (451).
    assertThat(report.get("deadLettered").asInt()).isEqualTo(15);
    assertThat(report.get("replayed").asInt()).isEqualTo(15);
    // their addresses went on the suppression list, and off it again before the replay
    assertThat(report.get("suppressed").asInt()).isEqualTo(15);
    assertThat(report.get("retried").asInt()).isEqualTo(30);
    assertThat(r.out())
        .contains("15 jobs were dead-lettered")
        .contains("The worker put their 15 addresses on the suppression list")
        .contains("postbus suppressions remove ADDRESS")
        .contains("postbus dlt replay --code 5.1.1");
    assertThat(report.get("seconds").asDouble()).isPositive();
  }

  /** With --console the demo stays up, and the console shows its dead letters. */
  @Test
  void theConsoleShowsTheDemosDeadLetters() throws Exception {
    int port = dev.postbus.embedded.FreePort.pick();
    ProcessBuilder pb =
        new ProcessBuilder(
            PostbusJvm.quick(
                "demo", "--jobs", "100", "--console", "--console-port", Integer.toString(port)));
    java.io.File out = java.io.File.createTempFile("postbus-demo", ".txt");
    out.deleteOnExit();
    pb.redirectErrorStream(true).redirectOutput(out);
    Process p = pb.start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofMinutes(3))
          .until(
              () ->
                  java.nio.file.Files.readString(out.toPath())
                      .contains("in the operator console: http://127.0.0.1:" + port));
      String page = dev.postbus.testkit.HttpProbe.get(port, "/dead-letters?code=5.1.1").body();
      // 100 jobs: every 20th recipient refused with 550 5.1.1, replayed once the server took it
      assertThat(page).contains("<strong>5</strong> of 5 dead letters match");
      assertThat(java.util.regex.Pattern.compile("<tr class=\"dl\">").matcher(page).results())
          .hasSize(5);
    } finally {
      p.destroy();
      if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }
}
