package dev.postbus.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterFilterTest {

  private static DeadLetter dead(
      String id, String cls, String code, String enhanced, String to, String last) {
    ConsumerRecord<byte[], byte[]> r =
        new ConsumerRecord<>(
            "jobs.dlt",
            0,
            7,
            id.getBytes(StandardCharsets.UTF_8),
            ("{\"schema\":1,\"id\":\""
                    + id
                    + "\",\"from\":\"a@example.com\",\"to\":[\""
                    + to
                    + "\"],\"subject\":\"s\",\"text\":\"t\"}")
                .getBytes(StandardCharsets.UTF_8));
    r.headers().add(PostbusHeaders.CLASS, cls.getBytes(StandardCharsets.UTF_8));
    if (code != null) {
      r.headers().add(PostbusHeaders.CODE, code.getBytes(StandardCharsets.UTF_8));
    }
    if (enhanced != null) {
      r.headers().add(PostbusHeaders.ENHANCED_CODE, enhanced.getBytes(StandardCharsets.UTF_8));
    }
    r.headers().add(PostbusHeaders.LAST_FAILURE, last.getBytes(StandardCharsets.UTF_8));
    return DeadLetter.of(r);
  }

  private final DeadLetter unknownUser =
      dead("a", "permanent", "550", "5.1.1", "x@gmail.com", "2026-11-24T10:00:00Z");
  private final DeadLetter throttled =
      dead("b", "expired", "451", "4.7.1", "y@example.org", "2026-11-24T12:00:00Z");
  private final DeadLetter poison =
      dead("c", "poison", null, null, "z@example.org", "2026-11-24T11:00:00Z");

  private static DeadLetterFilter code(String pattern) {
    return new DeadLetterFilter(null, null, null, pattern, null, Selection.ALL);
  }

  @Test
  void codePatternMatchesReplyOrEnhancedCode() {
    assertThat(code("5.1.1").matches(unknownUser)).isTrue();
    assertThat(code("550").matches(unknownUser)).isTrue();
    assertThat(code("55*").matches(unknownUser)).isTrue();
    assertThat(code("4.7.*").matches(throttled)).isTrue();
    assertThat(code("4.7.*").matches(unknownUser)).isFalse();
    assertThat(code("5.1.1").matches(poison)).isFalse();
  }

  @Test
  void timeClassDomainAndIdsNarrowTheSelection() {
    DeadLetterFilter f =
        new DeadLetterFilter(
            TimeBound.at(Instant.parse("2026-11-24T09:00:00Z")),
            TimeBound.at(Instant.parse("2026-11-24T11:30:00Z")),
            Set.of("permanent", "poison"),
            null,
            null,
            Selection.ALL);
    assertThat(f.matches(unknownUser)).isTrue();
    assertThat(f.matches(poison)).isTrue();
    assertThat(f.matches(throttled)).isFalse();
    assertThat(
            new DeadLetterFilter(null, null, null, null, "GMAIL.com", Selection.ALL)
                .matches(unknownUser))
        .isTrue();
    assertThat(
            new DeadLetterFilter(null, null, null, null, "gmail.com", Selection.ALL)
                .matches(throttled))
        .isFalse();
    assertThat(
            new DeadLetterFilter(null, null, null, null, null, Selection.jobIds(Set.of("b", "c")))
                .matches(unknownUser))
        .isFalse();
    assertThat(DeadLetterFilter.ALL.matches(poison)).isTrue();
  }

  @Test
  void sameCriteriaGiveTheSameReplayGroup() {
    Replayer r = new Replayer(java.util.Map.of(), "jobs");
    DeadLetterFilter a =
        new DeadLetterFilter(
            null, null, Set.of("permanent", "expired"), "5.1.1", null, Selection.ALL);
    DeadLetterFilter b =
        new DeadLetterFilter(
            null, null, Set.of("expired", "permanent"), "5.1.1", null, Selection.ALL);
    assertThat(r.groupFor(a)).isEqualTo(r.groupFor(b)).startsWith("postbus-replay-");
    assertThat(r.groupFor(a)).isNotEqualTo(r.groupFor(code("5.1.1")));
  }

  @Test
  void anAgeIsTheSameReplayWhenRunAgainLaterAndAnInstantKeepsItsGroup() {
    Replayer r = new Replayer(java.util.Map.of(), "jobs");
    Instant today = Instant.parse("2026-12-06T09:00:00Z");
    Instant tomorrow = today.plus(java.time.Duration.ofDays(1));
    DeadLetterFilter first = since(TimeBound.parse("1d", "--since", today));
    DeadLetterFilter later = since(TimeBound.parse("24h", "--since", tomorrow));
    assertThat(first.since().at()).isNotEqualTo(later.since().at());
    assertThat(r.groupFor(first)).isEqualTo(r.groupFor(later));
    assertThat(r.groupFor(first))
        .isNotEqualTo(r.groupFor(since(TimeBound.parse("2h", "--since", today))));
    // an instant: as before ages had their own key, so earlier replays' groups still hold
    assertThat(since(TimeBound.parse("2026-12-01T00:00:00Z", "--since", today)).canonical())
        .startsWith("since=2026-12-01T00:00:00Z;")
        .endsWith(";ids=[]");
  }

  private static DeadLetterFilter since(TimeBound since) {
    return new DeadLetterFilter(since, null, null, null, null, Selection.ALL);
  }

  @Test
  void aSelectionIsNeverEmptyNorBlank() {
    assertThatThrownBy(() -> Selection.positions(Set.of()))
        .hasMessageStartingWith("select: choose at least one dead letter");
    assertThatThrownBy(() -> Selection.jobIds(Set.of(" ")))
        .hasMessageStartingWith("--id: give at least one job id");
    assertThatThrownBy(() -> Selection.jobIds(Set.of(), "id"))
        .hasMessageStartingWith("id: give at least one job id");
    assertThatThrownBy(() -> new DeadLetterFilter(null, null, null, null, null, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Selection.Position.parse(""))
        .hasMessageContaining("must look like 3@1207");
    DeadLetterFilter one =
        DeadLetterFilter.of(Selection.positions(Set.of(Selection.Position.parse("0@7"))));
    assertThat(one.matches(unknownUser)).isTrue(); // the test's records are all at 0@7
    assertThat(
            DeadLetterFilter.of(Selection.positions(Set.of(new Selection.Position(0, 8))))
                .matches(unknownUser))
        .isFalse();
  }

  /**
   * A replay by job id keeps the group it had before the job id was the payload's {@code id} field
   * (it was the key): {@code ids=}, as every other filter keeps its group, so a replay by id that
   * did replay (a topic keyed by job id) is not run again after the upgrade.
   */
  @Test
  void aReplayByJobIdKeepsTheGroupItHadBeforeIdsWereThePayloadsIdField() {
    assertThat(Selection.jobIds(Set.of("order-42")).key()).isEqualTo("ids=[order-42]");
    assertThat(DeadLetterFilter.of(Selection.jobIds(Set.of("b", "a"))).canonical())
        .isEqualTo("since=null;until=null;classes=[];code=null;domain=null;ids=[a, b]");
    assertThat(DeadLetterFilter.ALL.canonical()).endsWith(";ids=[]");
  }

  @Test
  void badCodePatternIsRefusedWithTheOption() {
    assertThatThrownBy(() -> code("550; drop"))
        .hasMessageStartingWith("--code: must look like 550, 5.1.1 or 4.7.*");
    assertThatThrownBy(() -> DeadLetterFilter.codePattern("550; drop", "code"))
        .hasMessageStartingWith("code: must look like 550, 5.1.1 or 4.7.*");
  }

  private static DeadLetterFilter classes(String... names) {
    return new DeadLetterFilter(null, null, Set.of(names), null, null, Selection.ALL);
  }

  @Test
  void anUnknownClassIsRefusedNamingTheOptionAndTheKnownClasses() {
    assertThatThrownBy(() -> classes("permanant"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--class")
        .hasMessageContaining("'permanant'")
        .hasMessageContaining("permanent, transient, poison, expired, suppressed, conflict");
  }

  @Test
  void classesAreTrimmedSoASpaceAfterACommaStillMatches() {
    DeadLetterFilter f = classes("permanent", " suppressed");
    assertThat(f.classes()).containsExactlyInAnyOrder("permanent", "suppressed");
    assertThat(
            f.matches(
                dead("j-1", "suppressed", null, null, "a@example.org", "2026-11-24T10:00:00Z")))
        .isTrue();
  }
}
