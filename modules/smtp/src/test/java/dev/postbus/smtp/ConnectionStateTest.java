package dev.postbus.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConnectionStateTest {

  @Test
  void closedIsTerminal() {
    for (ConnectionState s : ConnectionState.values()) {
      assertThat(ConnectionState.CLOSED.canMoveTo(s)).isFalse();
    }
  }

  @Test
  void illegalTransitionNamesBothStates() {
    assertThatThrownBy(() -> ConnectionState.DISCONNECTED.moveTo(ConnectionState.SENDING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("illegal connection transition DISCONNECTED -> SENDING");
  }

  @Test
  void aConnectionIsOpenedBeforeItSends() {
    assertThat(ConnectionState.DISCONNECTED.moveTo(ConnectionState.CONNECTING))
        .isEqualTo(ConnectionState.CONNECTING);
    assertThat(ConnectionState.CONNECTING.canMoveTo(ConnectionState.IDLE)).isTrue();
    assertThat(ConnectionState.IDLE.canMoveTo(ConnectionState.SENDING)).isTrue();
  }
}
