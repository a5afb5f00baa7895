package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ledger floor measures what it says: in step, exactly one produce request per K entries (the
 * figure the floor argument rests on); every entry on the topic. It asserts what ran, never how
 * fast.
 */
class LedgerFloorIT {

  @Test
  @Timeout(180) // a producer left lingering would hold each step for its linger
  void inStepAndOneWriteAreOneRequestPerKEntries() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    List<LedgerFloor.Round> rounds =
        new LedgerFloor(403, 4, 1, new PrintStream(text, true, StandardCharsets.UTF_8)).run();

    assertThat(rounds)
        .extracting(LedgerFloor.Round::way)
        .containsExactly("lanes", "in step", "one write");
    assertThat(rounds).allSatisfy(r -> assertThat(r.entries()).isEqualTo(400)); // whole groups
    LedgerFloor.Round inStep = rounds.get(1);
    assertThat(inStep.requestsPerEntry()).isCloseTo(0.25, Offset.offset(1e-9));
    assertThat(rounds.get(2).requestsPerEntry()).isCloseTo(0.25, Offset.offset(1e-9));
    assertThat(rounds).allSatisfy(r -> assertThat(r.brokerMsPerEntry()).isPositive());
    assertThat(rounds).allSatisfy(r -> assertThat(r.cpuSecondsPer1k()).isPositive());
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("round 1  K=4    lanes")
        .contains("round 1  K=4    in step")
        .contains("round 1  K=4    one write")
        .containsPattern("in step\\s+4\\s+\\d+\\s+0\\.250\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}");
  }

  @Test
  void badArgumentsNameTheOption() {
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> new LedgerFloor(100, 0, 1, out)).hasMessageContaining("--connections");
    assertThatThrownBy(() -> new LedgerFloor(3, 4, 1, out)).hasMessageContaining("--entries");
    assertThatThrownBy(() -> new LedgerFloor(100, 4, 0, out)).hasMessageContaining("--repeats");
  }
}
