package dev.postbus.feedback.receive;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DevLoopbackPolicyTest {

  @Test
  void onlyNamesAndLiteralsOfThisMachineAreLoopbackHosts() {
    for (String host :
        new String[] {
          "127.0.0.1:8090",
          "127.0.0.1",
          "localhost:8090",
          "LOCALHOST.",
          "app.localhost:8090",
          "[::1]:8090",
          "[0:0:0:0:0:0:0:1]",
          "127.1.2.3:80"
        }) {
      assertThat(DevLoopbackPolicy.loopbackHost(DevLoopbackPolicy.hostOf(host))).as(host).isTrue();
    }
    for (String host :
        new String[] {
          "evil.example:8090",
          "localhost.evil.example",
          "127.0.0.1.nip.io:8090",
          "10.0.0.1:8090",
          "[::2]:8090",
          "[::1",
          "::1",
          "",
          "[localhost]"
        }) {
      assertThat(DevLoopbackPolicy.loopbackHost(DevLoopbackPolicy.hostOf(host))).as(host).isFalse();
    }
    assertThat(DevLoopbackPolicy.loopbackHost(DevLoopbackPolicy.hostOf(null))).isFalse();
  }
}
