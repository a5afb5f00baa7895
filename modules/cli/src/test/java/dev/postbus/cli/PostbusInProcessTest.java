package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PostbusInProcessTest {

  /**
   * A command that reads standard input (suppressions import -, send with a job on stdin) reads end
   * of input, as the launcher's child with nothing piped in does: never the test JVM's own input,
   * which carries the test plugin's commands to this fork.
   */
  @Test
  void aCommandReadsEndOfInput() throws Exception {
    CliIT.Result r =
        PostbusInProcess.run("reads stdin", () -> System.in.read(), Duration.ofSeconds(10));
    assertThat(r.exit()).isEqualTo(-1);
  }

  @Test
  void aCommandThatDoesNotFinishFailsWithWhatItPrinted() {
    CountDownLatch never = new CountDownLatch(1);
    assertThatThrownBy(
            () ->
                PostbusInProcess.run(
                    "hangs",
                    () -> {
                      System.out.println("started, then stuck");
                      never.await();
                      return 0;
                    },
                    Duration.ofMillis(300)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("hangs did not finish")
        .hasMessageContaining("started, then stuck");
  }
}
