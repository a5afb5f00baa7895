package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.replay.Selection;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code postbus dlt} filters as typed: an option given but empty is refused, never read as "all"
 * (nothing here reaches Kafka: the address given is one nobody listens on).
 */
class DltFiltersTest {

  private static DltCommand.Filters parsed(String... args) {
    DltCommand.Replay replay = new DltCommand.Replay();
    new CommandLine(replay).parseArgs(args);
    return replay.filters;
  }

  @Test
  void anIdOptionOfOnlyCommasIsRefusedNotReadAsAll() {
    assertThatThrownBy(() -> parsed("--id", ",").toFilter())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--id");
  }

  @Test
  void aClassOptionOfOnlyCommasIsRefusedNotReadAsAnyClass() {
    assertThatThrownBy(() -> parsed("--class", ",").toFilter())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--class");
  }

  @Test
  void idsAreSplitOnCommasAndRepeatable() {
    assertThat(parsed("--id", "a,b", "--id", "c").toFilter().selection())
        .isEqualTo(Selection.jobIds(java.util.Set.of("a", "b", "c")));
    assertThat(parsed().toFilter().selection()).isEqualTo(Selection.ALL);
  }

  @Test
  void replayWithAnEmptyIdExitsWithAUsageErrorBeforeAskingKafka() throws Exception {
    CliIT.Result r =
        PostbusInProcess.postbus(
            "dlt", "replay", "-b", "127.0.0.1:9", "--kafka-timeout", "100ms", "--id", ",");
    assertThat(r.exit()).as(r.err()).isEqualTo(Postbus.EXIT_CONFIG);
    assertThat(r.err()).contains("--id");
  }

  @Test
  void listWithAnEmptyClassExitsWithAUsageErrorBeforeAskingKafka() throws Exception {
    CliIT.Result r =
        PostbusInProcess.postbus(
            "dlt", "list", "-b", "127.0.0.1:9", "--kafka-timeout", "100ms", "--class", ",");
    assertThat(r.exit()).as(r.err()).isEqualTo(Postbus.EXIT_CONFIG);
    assertThat(r.err()).contains("--class");
  }
}
