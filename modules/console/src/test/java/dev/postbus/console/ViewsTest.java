package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ViewsTest {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  private static Views.Filter classes(String typed) {
    return new Views.Filter("", "", typed, "", "", "");
  }

  @Test
  void aClassFieldNamingNoClassIsRefusedNotWidenedToEveryClass() {
    for (String typed : new String[] {",", ", ,", " , "}) {
      assertThatThrownBy(() -> classes(typed).toFilter(NOW))
          .as("'%s'", typed)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("class: give at least one class")
          .hasMessageContaining("leave the field empty for all");
    }
  }

  @Test
  void anUnknownClassIsRefusedNamingTheClassField() {
    assertThatThrownBy(() -> classes("permanent, bogus").toFilter(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("class: must be one of permanent, transient, poison")
        .hasMessageContaining("'bogus'");
  }

  @Test
  void classesAreCommaOrSpaceSeparatedAndAnEmptyFieldMeansEveryClass() {
    assertThat(classes("permanent, Suppressed").toFilter(NOW).classes())
        .containsExactlyInAnyOrder("permanent", "suppressed");
    assertThat(classes("permanent expired").toFilter(NOW).classes())
        .containsExactlyInAnyOrder("permanent", "expired");
    assertThat(classes("").toFilter(NOW).classes()).isEmpty();
  }

  /** The console's id and code fields are refused naming the field, not the CLI's option. */
  @Test
  void anIdOrCodeFieldIsRefusedNamingTheFieldNotTheCliOption() {
    assertThatThrownBy(() -> new Views.Filter("", "", "", "", "", ",").toFilter(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("id: give at least one job id")
        .hasMessageNotContaining("--id");
    assertThatThrownBy(() -> new Views.Filter("", "", "", "55x", "", "").toFilter(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("code: must look like 550, 5.1.1 or 4.7.*")
        .hasMessageNotContaining("--code");
    assertThatThrownBy(() -> new Views.Filter("1h", "2h", "", "", "", "").toFilter(NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("until: must be after since")
        .hasMessageNotContaining("--");
  }
}
