package dev.postbus.feedback.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path reads what it reads exactly as java.time does, and leaves the rest to it. */
class IsoInstantsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-12-06T21:41:17Z",
        "2026-12-06T21:41:17.1Z",
        "2026-12-06T21:41:17.123Z",
        "2026-12-06T21:41:17.123456789Z",
        "2024-02-29T00:00:00.000Z",
        "1969-12-31T23:59:59.999Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2026-12-06T21:41:17+02:00",
        "2026-12-06T21:41:17.5-07:30",
        "2026-12-06T21:41:17-00:00",
        "2026-12-06T21:41:17+18:00",
        "2026-12-06T21:41:17-18:00",
        "0000-01-01T00:00:00Z",
        "2026-12-06T21:41:17.000000001+00:00"
      })
  void theCommonShapeGivesWhatJavaTimeGives(String text) {
    assertThat(IsoInstants.common(text)).isNotNull();
    assertThat(IsoInstants.instant(text)).isEqualTo(Instant.parse(text));
    assertThat(IsoInstants.offsetDateTime(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
  }

  /**
   * Texts off the common shape, with what {@code Instant.parse} and {@code OffsetDateTime.parse}
   * give for each (written down from JDK 17, so the slow path is held to them, not to itself).
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2026-12-06t21:41:17z            | 2026-12-06T21:41:17Z   | 2026-12-06T21:41:17Z",
        "2026-12-06T21:41:60Z            | refused                | refused",
        "2026-12-06T23:59:60Z            | 2026-12-06T23:59:59Z   | refused",
        "2026-12-06T24:00:00Z            | 2026-12-07T00:00:00Z   | refused",
        "2026-12-06T21:41Z               | refused                | 2026-12-06T21:41:00Z",
        "2026-12-06T21:41:17.1234567891Z | refused                | refused",
        "2026-12-06T21:41:17.Z           | 2026-12-06T21:41:17Z   | 2026-12-06T21:41:17Z",
        "2026-12-06T21:41:17+18:01       | refused                | refused",
        "2026-12-06T21:41:17+18:30       | refused                | refused",
        "2026-12-06T21:41:17+0200        | refused                | refused",
        "2026-12-06T21:41:17+02:00:00    | 2026-12-06T19:41:17Z   | 2026-12-06T19:41:17Z",
        "2025-02-29T00:00:00Z            | refused                | refused",
        "2026-04-31T00:00:00Z            | refused                | refused",
        "2026-13-01T00:00:00Z            | refused                | refused",
        "+12026-12-06T21:41:17Z          | +12026-12-06T21:41:17Z | +12026-12-06T21:41:17Z",
        "2026-12-06T21:41:17             | refused                | refused",
        "2026-12-06 21:41:17Z            | refused                | refused",
        "2026-1a-06T21:41:17Z            | refused                | refused",
        "\u0662\u0660\u0662\u0666-12-06T21:41:17Z | refused | refused"
      })
  void otherTextsAreLeftToJavaTime(String text, String instant, String offsetDateTime) {
    assertThat(IsoInstants.common(text)).isNull();
    assertThat(result(() -> IsoInstants.instant(text))).isEqualTo(instant);
    assertThat(result(() -> IsoInstants.offsetDateTime(text))).isEqualTo(offsetDateTime);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2026", "not a time", "2026-12-06T21:41:17.123Zjunk"})
  void malformedTextIsRefusedAsJavaTimeRefusesIt(String text) {
    assertThatThrownBy(() -> IsoInstants.instant(text)).isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> IsoInstants.offsetDateTime(text))
        .isInstanceOf(DateTimeParseException.class);
  }

  /** The instant as text, or "refused" when the text is refused as java.time refuses it. */
  private static String result(java.util.function.Supplier<Instant> parse) {
    try {
      return parse.get().toString();
    } catch (DateTimeParseException e) {
      return "refused";
    }
  }
}
