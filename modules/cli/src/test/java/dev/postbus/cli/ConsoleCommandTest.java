package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code postbus console}'s settings from the environment: an error names the variable. */
class ConsoleCommandTest {

  @Test
  void aPortThatIsNotANumberIsRefusedNamingTheVariable() throws Exception {
    CliIT.Result r =
        CliIT.postbus(
            Map.of("POSTBUS_CONSOLE_PORT", "abc"),
            null,
            "console",
            "-b",
            "127.0.0.1:9",
            "--kafka-timeout",
            "100ms");
    assertThat(r.exit()).as(r.err()).isEqualTo(Postbus.EXIT_CONFIG);
    assertThat(r.err()).contains("POSTBUS_CONSOLE_PORT").contains("'abc'");
  }
}
