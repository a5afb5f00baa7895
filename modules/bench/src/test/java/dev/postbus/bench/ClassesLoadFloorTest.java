package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code postbus bench classes}' floor options. */
class ClassesLoadFloorTest {

  @Test
  void anyFloorRateIsAcceptedWhenTheFloorRunIsSkipped() {
    assertThat(new ClassesLoad.Floor(0, Duration.ZERO).window()).isZero();
  }

  @Test
  void aFloorRunNeedsARateAndNamesTheOption() {
    assertThatThrownBy(() -> new ClassesLoad.Floor(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--floor-rate");
    assertThatThrownBy(() -> new ClassesLoad.Floor(200, Duration.ofSeconds(-1)))
        .hasMessageStartingWith("--floor-for");
  }
}
