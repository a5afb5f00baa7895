package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code postbus demo --json}: every job accounted for, exit 0, the report as JSON on the last line. */
class DemoIT {

  @Test
  void demoDeliversEveryJobAndEndsWithAJsonReport() throws Exception {
    CliIT.Result r = CliIT.postbus(Map.of(), null, "demo", "--jobs", "300", "--connections", "3", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().strip().lines().toList();
    JsonNode report = new ObjectMapper().readTree(lines.get(lines.size() - 1));
    assertThat(report.get("published").asInt()).isEqualTo(300);
    assertThat(report.get("delivered").asInt()).isEqualTo(300);
    assertThat(report.get("deadLettered").asInt()).isZero();
    assertThat(report.has("retried")).isTrue();
    assertThat(report.get("seconds").asDouble()).isPositive();
  }
}
