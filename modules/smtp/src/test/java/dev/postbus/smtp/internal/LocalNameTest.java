package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalNameTest {

  @Test
  void aLookedUpNameThatIsAHostNameIsSent() {
    assertThat(LocalName.chosen("worker-1.mail.svc.cluster.local", "10.0.0.7"))
        .isEqualTo("worker-1.mail.svc.cluster.local");
  }

  @Test
  void aLookedUpNameThatIsNoHostNameGivesWayToTheAddressLiteral() {
    assertThat(LocalName.chosen("mx.bücher.de", "192.0.2.1")).isEqualTo("[192.0.2.1]");
    assertThat(LocalName.chosen("mx\r\nRSET", "192.0.2.1")).isEqualTo("[192.0.2.1]");
    assertThat(LocalName.chosen("a".repeat(254), "192.0.2.1")).isEqualTo("[192.0.2.1]");
    assertThat(LocalName.chosen("192.0.2.1", "192.0.2.1")).isEqualTo("[192.0.2.1]");
    assertThat(LocalName.chosen(null, "fe80:0:0:0:0:0:0:1%eth0"))
        .isEqualTo("[IPv6:fe80:0:0:0:0:0:0:1]");
  }

  @Test
  void withNeitherANameNorAnAddressItIsLocalhost() {
    assertThat(LocalName.chosen("mx bücher", "not\r\nan address")).isEqualTo("localhost");
    assertThat(LocalName.chosen(null, null)).isEqualTo("localhost");
  }
}
