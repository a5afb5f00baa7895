package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginsTest {

  /** The console listens on 8080 in these examples. */
  @Test
  void aLoopbackNameIsAcceptedOnAForwardedPort() {
    // kubectl port-forward 9090:8080, docker -p 18080:8080, ssh -L 2222:localhost:8080
    assertThat(Origins.loopback("localhost:9090")).isTrue();
    assertThat(Origins.loopback("127.0.0.1:18080")).isTrue();
    assertThat(Origins.loopback("[::1]:2222")).isTrue();
    assertThat(Origins.loopback("LOCALHOST:8080")).isTrue();
    assertThat(Origins.loopback("127.0.0.1")).isTrue();
  }

  @Test
  void anyOtherNameIsRefusedWhateverItsPort() {
    assertThat(Origins.loopback("rebind.example:8080")).isFalse();
    assertThat(Origins.loopback("localhost.rebind.example:8080")).isFalse();
    assertThat(Origins.loopback("127.0.0.1.nip.io:8080")).isFalse();
    assertThat(Origins.loopback("localhost:")).isFalse();
    assertThat(Origins.loopback("localhost:80x")).isFalse();
    assertThat(Origins.loopback(null)).isFalse();
  }
}
