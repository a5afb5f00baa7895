package dev.postbus.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortTest {

  /**
   * The kernel hands a port let go straight out again (16 to 18 repeats in 500 binds here), so a
   * test asking for a broker port and a controller port got the same one twice (KafkaOutageIT, in
   * CI). One JVM never gets a port twice.
   */
  @Test
  void neverHandsOutTheSamePortTwice() {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ports.add(FreePort.pick());
    }
    assertThat(ports).doesNotHaveDuplicates();
  }
}
