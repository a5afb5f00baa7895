package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JitCpuTest {

  @Test
  void aCompilerThreadsLineGivesItsUserAndSystemTicks() {
    String line =
        "4242 (C2 CompilerThre) S 1 4100 4100 0 -1 4194368 9 0 0 0 1234 56 0 0 20 0 30 0 900"
            + " 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 -1 1 0 0 0 0 0";
    assertThat(JitCpu.ticksOf(line)).isEqualTo(1234 + 56);
  }

  @Test
  void otherThreadsCountNothingEvenWithParenthesesInTheirName() {
    String lane =
        "4243 (postbus-lane-0) R 1 4100 4100 0 -1 4194368 9 0 0 0 700 30 0 0 20 0 30 0 900"
            + " 0 0";
    String odd =
        "4244 (x) (C2 CompilerThre) S 1 4100 4100 0 -1 4194368 9 0 0 0 700 30 0 0 20 0 30 0 900";
    assertThat(JitCpu.ticksOf(lane)).isZero();
    assertThat(JitCpu.ticksOf(odd)).isZero();
  }

  @Test
  void thisJvmsCompilersHaveUsedCpuByNow() {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "no /proc here (not Linux)");
    // Starting JUnit and AssertJ compiles far more than one 10 ms tick's worth of methods.
    assertThat(JitCpu.nanos()).isPositive();
  }
}
