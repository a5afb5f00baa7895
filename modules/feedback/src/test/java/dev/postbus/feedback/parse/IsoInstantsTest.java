package dev.postbus.feedback.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
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
        "2026-12-06T21:41:17.000000001+00:00"
      })
  void theCommonShapeGivesWhatJavaTimeGives(String text) {
    assertThat(IsoInstants.common(text)).isNotNull();
    assertThat(IsoInstants.instant(text)).isEqualTo(Instant.parse(text));
    assertThat(IsoInstants.offsetDateTime(text)).isEqualTo(OffsetDateTime.parse(text).toInstant());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-12-06t21:41:17z",
        "2026-12-06T21:41:60Z",
        "2026-12-06T24:00:00Z",
        "2026-12-06T21:41Z",
        "2026-12-06T21:41:17.1234567891Z",
        "2026-12-06T21:41:17.Z",
        "2026-12-06T21:41:17+18:01",
        "2026-12-06T21:41:17+0200",
        "2026-12-06T21:41:17+02:00:00",
        "2025-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "+12026-12-06T21:41:17Z",
        "2026-12-06T21:41:17",
        "2026-12-06 21:41:17Z",
        "2026-1a-06T21:41:17Z"
      })
  void otherTextsAreLeftToJavaTime(String text) {
    assertThat(IsoInstants.common(text)).isNull();
    assertThat(result(() -> IsoInstants.instant(text)))
        .isEqualTo(result(() -> Instant.parse(text)));
    assertThat(result(() -> IsoInstants.offsetDateTime(text)))
        .isEqualTo(result(() -> OffsetDateTime.parse(text).toInstant()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2026", "not a time", "2026-12-06T21:41:17.123Zjunk"})
  void malformedTextIsRefusedAsJavaTimeRefusesIt(String text) {
    assertThatThrownBy(() -> IsoInstants.instant(text)).isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> IsoInstants.offsetDateTime(text))
        .isInstanceOf(DateTimeParseException.class);
  }

  /** The instant, or the exception's class and message when java.time refuses the text. */
  private static Object result(java.util.function.Supplier<Instant> parse) {
    try {
      return parse.get();
    } catch (DateTimeParseException e) {
      return e.getClass() + ": " + e.getMessage();
    }
  }
}
