package dev.postbus.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassPausesTest {

  @Test
  void bulkIsPausedWhileTransactionalJobsAreQueuedOrLagging() {
    ClassPauses p = new ClassPauses(0);
    assertThat(p.pauseBulk(0, 0, 0, false)).isFalse();
    assertThat(p.pauseBulk(1, 0, 0, false)).isTrue();
    assertThat(p.pauseBulk(0, 3, 0, false)).isTrue();
  }

  @Test
  void aFewBulkJobsStayQueuedForTheFloor() {
    ClassPauses p = new ClassPauses(6);
    assertThat(p.pauseBulk(1, 10, 5, false)).as("below the reserve: fetch on").isFalse();
    assertThat(p.pauseBulk(1, 10, 6, false)).isTrue();
  }

  @Test
  void aFullBulkSideIsPausedEvenWithNoTransactionalJob() {
    assertThat(new ClassPauses(6).pauseBulk(0, 0, 64, true)).isTrue();
  }
}
