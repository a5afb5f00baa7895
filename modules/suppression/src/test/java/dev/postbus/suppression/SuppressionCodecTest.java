package dev.postbus.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SuppressionCodecTest {

  @Test
  void aSuppressionSurvivesTheRoundTrip() throws Exception {
    Suppression s =
        new Suppression(
            "Bob@Example.net",
            "RCPT refused with 550 5.1.1",
            550,
            "5.1.1",
            Source.BOUNCE,
            Instant.parse("2026-12-02T10:00:00Z"),
            Instant.parse("2027-01-01T00:00:00Z"));

    String address = SuppressionCodec.address(SuppressionCodec.key(s.address()));
    assertThat(address).isEqualTo("bob@example.net");
    assertThat(SuppressionCodec.read(address, SuppressionCodec.value(s))).isEqualTo(s);
  }

  @Test
  void aMalformedRecordNamesTheFieldAndNeverTheAddress() {
    assertThatThrownBy(() -> SuppressionCodec.address("not an address".getBytes()))
        .hasMessage("key: not a valid email address");
    assertThatThrownBy(() -> SuppressionCodec.address(null)).hasMessageStartingWith("key:");
    assertThatThrownBy(() -> read("{not json")).hasMessage("(value): not JSON");
    assertThatThrownBy(() -> read("[1]")).hasMessage("(value): not a JSON object");
    assertThatThrownBy(() -> read("{\"source\":\"bounce\",\"at\":\"2026-12-02T10:00:00Z\"}"))
        .hasMessage("reason: missing");
    assertThatThrownBy(
            () -> read("{\"reason\":\"x\",\"source\":\"spam\",\"at\":\"2026-12-02T10:00:00Z\"}"))
        .hasMessage("source: not one of bounce, operator, import, feedback");
    assertThatThrownBy(() -> read("{\"reason\":\"x\",\"source\":\"bounce\",\"at\":\"yesterday\"}"))
        .hasMessageStartingWith("at: not an ISO-8601 instant");
    assertThatThrownBy(
            () ->
                read(
                    "{\"reason\":\"x\",\"source\":\"bounce\",\"at\":\"2026-12-02T10:00:00Z\","
                        + "\"code\":\"abc\"}"))
        .hasMessage("code: not a reply code (200 to 599)");
  }

  private static Suppression read(String json) throws Exception {
    return SuppressionCodec.read("a@example.com", json.getBytes(StandardCharsets.UTF_8));
  }
}
