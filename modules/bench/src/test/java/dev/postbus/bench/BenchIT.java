package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark runs every scenario and reports them; it asserts what ran, never how fast. */
class BenchIT {

  @Test
  void everyScenarioRunsAgainstTheSameSinkAndIsReported() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    BenchOptions options =
        BenchOptions.builder()
            .messages(200)
            .connections(List.of(2))
            .repeats(1)
            .rich(true)
            .warmup(0)
            .build();
    JsonNode report = new Bench(options, new PrintStream(text, true, StandardCharsets.UTF_8)).run();

    assertThat(report.get("results")).hasSize(BenchOptions.ALL_SCENARIOS.size());
    assertThat(report.get("sinkCountMismatches").asInt()).isZero();
    assertThat(report.get("results").findValuesAsText("scenario"))
        .containsExactlyElementsOf(BenchOptions.ALL_SCENARIOS);
    for (JsonNode r : report.get("results")) {
      assertThat(r.get("messagesPerSecond").asLong()).isPositive();
      assertThat(r.get("runs").asInt()).isEqualTo(1);
      assertThat(r.get("sink").asText()).isEqualTo("fast");
      assertThat(r.get("connections").asInt()).isEqualTo(2);
    }
    assertThat(report.get("results").get(0).has("p99Millis")).isTrue();
    assertThat(report.get("results").get(0).get("brokerCpuMsPerMessage").asDouble()).isPositive();
    assertThat(report.get("results").get(1).has("brokerCpuMsPerMessage")).isFalse();
    assertThat(report.get("results").get(0).has("ledgerWaitMsPerMessage"))
        .as("200 messages on 2 connections: final dots waited for the ledger")
        .isTrue();
    assertThat(report.get("results").get(1).has("ledgerWaitMsPerMessage")).isFalse();
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("final dots held")
        .contains("ms per message for the send ledger");
    assertThat(report.get("ratios"))
        .hasSize(6); // postbus and postbus-transport, each against the three others
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("postbus           / angus-loop")
        .contains("postbus-transport / angus-loop");
  }
}
