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
    return new DeadLetterFilter(null, null, null, pattern, null, null);
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
            Instant.parse("2026-11-24T09:00:00Z"),
            Instant.parse("2026-11-24T11:30:00Z"),
            Set.of("permanent", "poison"),
            null,
            null,
            null);
    assertThat(f.matches(unknownUser)).isTrue();
    assertThat(f.matches(poison)).isTrue();
    assertThat(f.matches(throttled)).isFalse();
    assertThat(new DeadLetterFilter(null, null, null, null, "GMAIL.com", null).matches(unknownUser))
        .isTrue();
    assertThat(new DeadLetterFilter(null, null, null, null, "gmail.com", null).matches(throttled))
        .isFalse();
    assertThat(
            new DeadLetterFilter(null, null, null, null, null, Set.of("b", "c"))
                .matches(unknownUser))
        .isFalse();
    assertThat(DeadLetterFilter.ALL.matches(poison)).isTrue();
  }

  @Test
  void sameCriteriaGiveTheSameReplayGroup() {
    Replayer r = new Replayer(java.util.Map.of(), "jobs");
    DeadLetterFilter a =
        new DeadLetterFilter(null, null, Set.of("permanent", "expired"), "5.1.1", null, null);
    DeadLetterFilter b =
        new DeadLetterFilter(null, null, Set.of("expired", "permanent"), "5.1.1", null, null);
    assertThat(r.groupFor(a)).isEqualTo(r.groupFor(b)).startsWith("postbus-replay-");
    assertThat(r.groupFor(a)).isNotEqualTo(r.groupFor(code("5.1.1")));
  }

  @Test
  void badCodePatternIsRefusedWithTheOption() {
    assertThatThrownBy(() -> code("550; drop"))
        .hasMessageStartingWith("--code must look like 550, 5.1.1 or 4.7.*");
  }
}
