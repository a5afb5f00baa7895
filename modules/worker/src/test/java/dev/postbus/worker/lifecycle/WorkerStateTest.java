package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerStateTest {

  @Test
  void onlyRunningIsReady() {
    for (WorkerState s : WorkerState.values()) {
      assertThat(s.ready()).isEqualTo(s == WorkerState.RUNNING);
    }
  }

  @Test
  void aStoppedWorkerStaysStopped() {
    assertThatThrownBy(() -> WorkerState.STOPPED.moveTo(WorkerState.RUNNING))
        .hasMessage("illegal worker transition STOPPED -> RUNNING");
  }

  @Test
  void pausedWorkerCanResumeOrDrain() {
    assertThat(WorkerState.PAUSED.canMoveTo(WorkerState.RUNNING)).isTrue();
    assertThat(WorkerState.PAUSED.canMoveTo(WorkerState.DRAINING)).isTrue();
    assertThat(WorkerState.DRAINING.canMoveTo(WorkerState.RUNNING)).isFalse();
  }
}
