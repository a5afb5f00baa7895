package dev.postbus.worker.dispatch;

import static dev.postbus.worker.dispatch.ClassPick.Choice.BULK;
import static dev.postbus.worker.dispatch.ClassPick.Choice.NONE;
import static dev.postbus.worker.dispatch.ClassPick.Choice.TRANSACTIONAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassPickTest {

  @Test
  void transactionalGoesFirstWhenThereIsNoFloor() {
    ClassPick pick = new ClassPick(8, 2, 0);
    for (int i = 0; i < 100; i++) {
      assertThat(pick.choose(true, true, 0)).isEqualTo(TRANSACTIONAL);
    }
  }

  @Test
  void bulkAloneIsTakenUntilEveryLaneNotKeptForTransactionalMailHoldsOne() {
    ClassPick pick = new ClassPick(8, 2, 0.1);
    assertThat(pick.bulkLanes()).isEqualTo(6);
    assertThat(pick.choose(false, true, 5)).isEqualTo(BULK);
    assertThat(pick.choose(false, true, 6)).isEqualTo(NONE);
    assertThat(pick.choose(true, true, 6))
        .as("the kept lanes serve transactional")
        .isEqualTo(TRANSACTIONAL);
    assertThat(pick.choose(false, false, 0)).isEqualTo(NONE);
  }

  @Test
  void whileBothWaitBulkGetsItsFloorShareExactly() {
    ClassPick pick = new ClassPick(8, 2, 0.1);
    List<ClassPick.Choice> picks = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      picks.add(pick.choose(true, true, 0));
    }
    assertThat(Collections.frequency(picks, BULK)).isEqualTo(100);
    assertThat(picks.subList(0, 10)).containsOnlyOnce(BULK); // spread, not in a burst
  }

  @Test
  void theFloorOwesNothingForTurnsWhenBulkHadNoFreeLane() {
    ClassPick pick = new ClassPick(8, 2, 0.5);
    for (int i = 0; i < 10; i++) {
      assertThat(pick.choose(true, true, 6)).isEqualTo(TRANSACTIONAL);
    }
    assertThat(pick.choose(true, true, 0))
        .as("no debt piled up: half, not a burst")
        .isEqualTo(TRANSACTIONAL);
    assertThat(pick.choose(true, true, 0)).isEqualTo(BULK);
  }

  @Test
  void keepingEveryLaneOrAFloorOfOneIsRefused() {
    assertThatThrownBy(() -> new ClassPick(4, 4, 0.1)).hasMessageContaining("transactional lanes");
    assertThatThrownBy(() -> new ClassPick(4, 1, 1)).hasMessageContaining("bulk floor");
  }
}
