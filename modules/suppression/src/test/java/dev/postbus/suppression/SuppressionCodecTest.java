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
        .hasMessage("source: not one of bounce, operator, import, feedback, unsubscribe");
    assertThatThrownBy(() -> read("{\"reason\":\"x\",\"source\":\"bounce\",\"at\":\"yesterday\"}"))
        .hasMessageStartingWith("at: not an ISO-8601 instant");
    assertThatThrownBy(
            () ->
                read(
                    "{\"reason\":\"x\",\"source\":\"bounce\",\"at\":\"2026-12-02T10:00:00Z\","
                        + "\"code\":\"abc\"}"))
        .hasMessage("code: not a reply code (200 to 599)");
  }

  @Test
  void anEntryWrittenBeforeScopesStillReadsAsGlobal() throws Exception {
    byte[] old =
        ("{\"reason\":\"RCPT refused with 550 5.1.1\",\"code\":550,\"enhancedCode\":\"5.1.1\","
                + "\"source\":\"feedback\",\"at\":\"2026-12-02T10:00:00Z\"}")
            .getBytes(StandardCharsets.UTF_8);
    SuppressionCodec.Key key = SuppressionCodec.parseKey("Bob@Example.net".getBytes());

    Suppression s = SuppressionCodec.read(key, old);

    assertThat(key).isEqualTo(new SuppressionCodec.Key("bob@example.net", null));
    assertThat(s.global()).isTrue();
    assertThat(s.source()).isEqualTo(Source.FEEDBACK);
    assertThat(s.code()).isEqualTo(550);
  }

  @Test
  void aScopedEntrySurvivesTheRoundTripUnderItsOwnKey() throws Exception {
    Suppression s =
        Suppression.unsubscribe("Bob@Example.net", "news", Instant.parse("2026-12-02T10:00:00Z"));

    byte[] key = s.key().bytes();
    assertThat(new String(key, StandardCharsets.UTF_8)).isEqualTo("list:news bob@example.net");
    assertThat(key).isNotEqualTo(SuppressionCodec.key("bob@example.net"));
    SuppressionCodec.Key parsed = SuppressionCodec.parseKey(key);
    assertThat(parsed).isEqualTo(new SuppressionCodec.Key("bob@example.net", "news"));
    assertThat(SuppressionCodec.read(parsed, SuppressionCodec.value(s))).isEqualTo(s);
    assertThat(new String(SuppressionCodec.value(s), StandardCharsets.UTF_8))
        .contains("\"v\":2", "\"list\":\"news\"", "\"source\":\"unsubscribe\"");
  }

  @Test
  void aValueThatDisagreesWithItsKeyIsMalformed() {
    String scoped =
        "{\"v\":2,\"reason\":\"x\",\"source\":\"unsubscribe\",\"at\":\"2026-12-02T10:00:00Z\","
            + "\"list\":\"news\"}";
    assertThatThrownBy(
            () ->
                SuppressionCodec.read(
                    new SuppressionCodec.Key("a@example.com", null),
                    scoped.getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("list: the value's list does not agree with the key's (global)");
    assertThatThrownBy(() -> SuppressionCodec.parseKey("list:News a@example.com".getBytes()))
        .hasMessageStartingWith("key: list: must be 1 to 64");
    assertThatThrownBy(() -> SuppressionCodec.address("list:news a@example.com".getBytes()))
        .hasMessage("key: scoped to a list where a global entry was expected");
  }

  @Test
  void aNewerVersionStillSuppressesWithTheFieldsThisReaderKnowsAndTheKeysScope() throws Exception {
    String newer =
        "{\"v\":3,\"reason\":\"hard bounce\",\"source\":\"bounce\",\"at\":\"2026-12-02T10:00:00Z\","
            + "\"expiresAt\":\"2027-01-01T00:00:00Z\",\"list\":{\"some\":\"new shape\"},\"new\":1}";
    Suppression global =
        SuppressionCodec.read(
            new SuppressionCodec.Key("a@example.com", null),
            newer.getBytes(StandardCharsets.UTF_8));
    assertThat(global.global()).isTrue();
    assertThat(global.address()).isEqualTo("a@example.com");
    assertThat(global.reason()).isEqualTo("hard bounce");
    assertThat(global.source()).isEqualTo(Source.BOUNCE);
    assertThat(global.at()).isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
    assertThat(global.expiresAt()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));

    Suppression scoped =
        SuppressionCodec.read(
            new SuppressionCodec.Key("a@example.com", "news"),
            newer.getBytes(StandardCharsets.UTF_8));
    assertThat(scoped.list()).isEqualTo("news");
  }

  @Test
  void aNewerVersionWithFieldsOfUnknownShapeStillSuppressesForever() throws Exception {
    Suppression s =
        read(
            "{\"v\":3,\"reason\":{\"text\":\"x\"},\"source\":\"robot\",\"at\":5,\"expiresAt\":\"soon\"}");
    assertThat(s.global()).isTrue();
    assertThat(s.expiresAt()).isNull();
    assertThat(s.reason()).contains("version 3");
    assertThat(s.source()).isNotNull();
    assertThat(s.at()).isNotNull();
  }

  @Test
  void aKeyShowsTheDomainAndTheScopeNeverTheAddress() {
    assertThat(new SuppressionCodec.Key("bob@example.net", "news").toString())
        .doesNotContain("bob@")
        .contains("*@example.net", "list news");
    assertThat(new SuppressionCodec.Key("bob@example.net", null).toString())
        .doesNotContain("bob@")
        .contains("*@example.net", "global");
  }

  private static Suppression read(String json) throws Exception {
    return SuppressionCodec.read("a@example.com", json.getBytes(StandardCharsets.UTF_8));
  }
}
