package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SessionStateTest {

  @Test
  void theTransitionsTheSessionMakesAreLegal() {
    assertThat(SessionState.READY.moveTo(SessionState.READY)).isEqualTo(SessionState.READY);
    assertThat(SessionState.READY.moveTo(SessionState.RESET_PENDING))
        .isEqualTo(SessionState.RESET_PENDING);
    assertThat(SessionState.READY.moveTo(SessionState.ENVELOPE_AHEAD))
        .isEqualTo(SessionState.ENVELOPE_AHEAD);
    assertThat(SessionState.RESET_PENDING.moveTo(SessionState.READY)).isEqualTo(SessionState.READY);
    assertThat(SessionState.ENVELOPE_AHEAD.moveTo(SessionState.READY))
        .isEqualTo(SessionState.READY);
    for (SessionState s : SessionState.values()) {
      assertThat(s.moveTo(SessionState.CLOSED)).isEqualTo(SessionState.CLOSED);
    }
  }

  @Test
  void aForbiddenTransitionThrowsNamingBothStates() {
    // An envelope ahead is only written after a message's end, from READY: never over another one,
    // never on top of a pending RSET.
    assertThatThrownBy(() -> SessionState.ENVELOPE_AHEAD.moveTo(SessionState.ENVELOPE_AHEAD))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ENVELOPE_AHEAD to ENVELOPE_AHEAD");
    assertThatThrownBy(() -> SessionState.RESET_PENDING.moveTo(SessionState.ENVELOPE_AHEAD))
        .hasMessageContaining("RESET_PENDING")
        .hasMessageContaining("ENVELOPE_AHEAD");
    assertThatThrownBy(() -> SessionState.ENVELOPE_AHEAD.moveTo(SessionState.RESET_PENDING))
        .hasMessageContaining("ENVELOPE_AHEAD to RESET_PENDING");
    assertThatThrownBy(() -> SessionState.CLOSED.moveTo(SessionState.READY))
        .hasMessageContaining("CLOSED to READY");
  }
}
