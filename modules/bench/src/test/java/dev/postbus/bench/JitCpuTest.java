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
    assertThat(JitCpu.ticksOf(lane)).isNegative();
    assertThat(JitCpu.ticksOf(odd)).isNegative();
  }

  private static void stat(Path tasks, int tid, String name, long utime) throws Exception {
    Files.createDirectories(tasks.resolve(Integer.toString(tid)));
    Files.writeString(
        tasks.resolve(tid + "/stat"),
        tid + " (" + name + ") S 1 4100 4100 0 -1 4194368 9 0 0 0 " + utime + " 0 0 0 20 0 30");
  }

  /**
   * HotSpot stops a compiler thread that idles (UseDynamicNumberOfCompilerThreads): its time before
   * the start must not be taken off the others' time since.
   */
  @Test
  void aCompilerThreadThatEndsDuringTheRunTakesNothingFromTheOthers(
      @org.junit.jupiter.api.io.TempDir Path tasks) throws Exception {
    stat(tasks, 100, "C2 CompilerThre", 500);
    stat(tasks, 101, "C2 CompilerThre", 300);
    stat(tasks, 102, "postbus-lane-0", 900);
    JitCpu start = JitCpu.at(tasks);

    Files.delete(tasks.resolve("101/stat"));
    Files.delete(tasks.resolve("101"));
    stat(tasks, 100, "C2 CompilerThre", 550);
    stat(tasks, 103, "C1 CompilerThre", 20); // started since: counts from 0

    assertThat(start.secondsSince(tasks)).isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void withoutProcTheTimeIsUnknownNotZero(@org.junit.jupiter.api.io.TempDir Path dir) {
    JitCpu start = JitCpu.at(dir.resolve("no-such-dir"));
    assertThat(start.secondsSince(dir.resolve("no-such-dir"))).isNaN();
  }

  @Test
  void aRunWithUnknownJitTimeShowsNoShareAndNoWarning() {
    RunResult r =
        new RunResult(
            "postbus", "fast", 4, 1, 1000, 1.0, 2.0, Double.NaN, 10, null, null, null, null, null);
    assertThat(r.jitShare()).isNaN();
  }

  @Test
  void thisJvmsCompilersHaveUsedCpuByNow(@org.junit.jupiter.api.io.TempDir Path none) {
    assumeTrue(Files.isDirectory(JitCpu.TASKS), "no /proc here (not Linux)");
    // From a snapshot with no compiler threads, every compiler thread's time counts: starting JUnit
    // and AssertJ compiles far more than one 10 ms tick's worth of methods.
    assertThat(JitCpu.at(none).secondsSince()).isPositive();
  }
}
