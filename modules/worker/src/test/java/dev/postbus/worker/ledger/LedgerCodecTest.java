package dev.postbus.worker.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LedgerCodecTest {

  private static final byte[] EVENT =
      "{\"type\":\"delivered\",\"jobId\":\"j-1\",\"attempt\":1}".getBytes(StandardCharsets.UTF_8);

  @Test
  void anEntryWithItsEventComesBackAsItWent() {
    LedgerEntry e =
        new LedgerEntry("postbus.jobs", 7, 123_456_789_012L, "j-1", 1_765_000_000_123L, EVENT);

    LedgerEntry back = LedgerCodec.decode(LedgerCodec.encode(e));

    assertThat(back.topic()).isEqualTo("postbus.jobs");
    assertThat(back.partition()).isEqualTo(7);
    assertThat(back.offset()).isEqualTo(123_456_789_012L);
    assertThat(back.jobId()).isEqualTo("j-1");
    assertThat(back.atMillis()).isEqualTo(1_765_000_000_123L);
    assertThat(back.event()).isEqualTo(EVENT);
  }

  @Test
  void anEntryWithoutJobIdOrEventComesBackWithout() {
    LedgerEntry e = new LedgerEntry("postbus.jobs.retry.30s", 0, 0, null, 0);

    LedgerEntry back = LedgerCodec.decode(LedgerCodec.encode(e));

    assertThat(back.topic()).isEqualTo("postbus.jobs.retry.30s");
    assertThat(back.offset()).isZero();
    assertThat(back.jobId()).isNull();
    assertThat(back.event()).isNull();
  }

  @Test
  void theValueStartsWithItsFormatVersionAndIsSmallerThanJson() {
    LedgerEntry e =
        new LedgerEntry(
            "postbus.jobs",
            3,
            1_000_000,
            "0b6f9c1e-3a1d-4f1e-9d7a-2f55d1c0e9aa",
            1_765_000_000_000L);

    byte[] value = LedgerCodec.encode(e);

    assertThat(value[0]).isEqualTo(LedgerCodec.VERSION);
    String json =
        "{\"topic\":\"postbus.jobs\",\"partition\":3,\"offset\":1000000,"
            + "\"jobId\":\"0b6f9c1e-3a1d-4f1e-9d7a-2f55d1c0e9aa\",\"at\":1765000000000}";
    assertThat(value.length).isLessThan(json.length() * 2 / 3);
  }

  @Test
  void anOldJsonEntryIsStillRead() {
    byte[] old =
        ("{\"topic\":\"postbus.jobs\",\"partition\":2,\"offset\":41,\"jobId\":\"j-9\",\"at\":1765000000000,"
                + "\"event\":{\"type\":\"delivered\",\"jobId\":\"j-9\"}}")
            .getBytes(StandardCharsets.UTF_8);

    LedgerEntry back = LedgerCodec.decode(old);

    assertThat(back.source().toString()).isEqualTo("postbus.jobs-2");
    assertThat(back.offset()).isEqualTo(41);
    assertThat(back.jobId()).isEqualTo("j-9");
    assertThat(back.atMillis()).isEqualTo(1_765_000_000_000L);
    assertThat(new String(back.event(), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"delivered\",\"jobId\":\"j-9\"}");
  }

  @Test
  void anOldJsonEntryWithoutEventOrJobIdIsStillRead() {
    byte[] old =
        "{\"topic\":\"t\",\"partition\":0,\"offset\":5,\"at\":9}".getBytes(StandardCharsets.UTF_8);

    LedgerEntry back = LedgerCodec.decode(old);

    assertThat(back.offset()).isEqualTo(5);
    assertThat(back.jobId()).isNull();
    assertThat(back.event()).isNull();
  }

  @Test
  void anUnknownVersionIsRefusedNamingIt() {
    byte[] future = {9, 1, 2, 3};

    assertThatThrownBy(() -> LedgerCodec.decode(future))
        .isInstanceOf(LedgerCodec.UnknownVersion.class)
        .hasMessageContaining("format version 9");
  }

  @Test
  void aTruncatedEntryIsRefusedAsMalformed() {
    byte[] value = LedgerCodec.encode(new LedgerEntry("postbus.jobs", 3, 77, "j-1", 5, EVENT));
    byte[] cut = java.util.Arrays.copyOf(value, value.length - 4);

    assertThatThrownBy(() -> LedgerCodec.decode(cut))
        .isInstanceOf(LedgerCodec.Malformed.class)
        .hasMessageContaining("send ledger entry");
  }

  @Test
  void fieldsOfALaterPhaseAreSkippedByThisReader() {
    byte[] value = LedgerCodec.encode(new LedgerEntry("postbus.jobs", 3, 77, "j-1", 5, EVENT));
    byte[] withMore = java.util.Arrays.copyOf(value, value.length + 5);
    // a field this reader does not know (tag 60, three bytes), appended as a later writer would
    withMore[value.length] = 60;
    withMore[value.length + 1] = 3;

    LedgerEntry back = LedgerCodec.decode(withMore);

    assertThat(back.offset()).isEqualTo(77);
    assertThat(back.event()).isEqualTo(EVENT);
  }

  @Test
  void noValueOrAJsonValueThatIsNoEntryIsNoEntry() {
    assertThat(LedgerCodec.decode(null)).isNull();
    assertThat(LedgerCodec.decode("{\"hello\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
  }

  @Test
  void inJsonAnEntryIsWhatWorkersBeforeFormat1WroteAndRead() throws Exception {
    LedgerEntry e = new LedgerEntry("postbus.jobs", 7, 41, "j-9", 1_765_000_000_123L, EVENT);

    byte[] json = LedgerCodec.encode(e, dev.postbus.worker.config.LedgerFormat.JSON);

    var o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertThat(o.get("topic").asText()).isEqualTo("postbus.jobs");
    assertThat(o.get("partition").asInt()).isEqualTo(7);
    assertThat(o.get("offset").asLong()).isEqualTo(41);
    assertThat(o.get("jobId").asText()).isEqualTo("j-9");
    assertThat(o.get("at").asLong()).isEqualTo(1_765_000_000_123L);
    assertThat(o.get("event").isObject()).as("the event as an object, as before").isTrue();
    LedgerEntry back = LedgerCodec.decode(json);
    assertThat(back.event()).isEqualTo(EVENT);
    assertThat(LedgerCodec.encode(e, dev.postbus.worker.config.LedgerFormat.BINARY)[0])
        .isEqualTo(LedgerCodec.VERSION);
  }

  @Test
  void theFingerprintAndOutcomeComeBackAndAnEntryWithoutThemReadsAsUnknownContent() {
    byte[] fp = new byte[16];
    fp[0] = 9;
    LedgerEntry e =
        new LedgerEntry("postbus.jobs", 2, 40, "j-2", 1000, null, fp, LedgerOutcome.RETRY);
    LedgerEntry back = LedgerCodec.decode(LedgerCodec.encode(e));
    assertThat(back.fingerprint()).isEqualTo(fp);
    assertThat(back.outcome()).isEqualTo(LedgerOutcome.RETRY);

    LedgerEntry before = LedgerCodec.decode(LedgerCodec.encode(new LedgerEntry("t", 0, 1, "j", 2)));
    assertThat(before.fingerprint()).isNull();
    assertThat(before.outcome()).isEqualTo(LedgerOutcome.UNKNOWN);
  }

  /** The reader of the first binary entries (tags 1 and 2 only) reads one with tags 3 and 4. */
  @Test
  void aReaderOfTheFirstBinaryEntriesSkipsTheFingerprintAndOutcome() {
    byte[] value =
        LedgerCodec.encode(
            new LedgerEntry(
                "postbus.jobs", 2, 40, "j-2", 1000, EVENT, new byte[16], LedgerOutcome.DELIVERED));
    byte[] firstFormat =
        LedgerCodec.encode(new LedgerEntry("postbus.jobs", 2, 40, "j-2", 1000, EVENT));
    // what that reader keeps: the fields it knows, in the same bytes as an entry without them
    assertThat(java.util.Arrays.copyOf(value, firstFormat.length)).isEqualTo(firstFormat);
    assertThat(value[firstFormat.length]).isEqualTo((byte) 3); // then tagged fields it skips
  }

  @Test
  void aScanFindsTheFieldsIdempotentPublishingKeepsWithoutDecoding() {
    byte[] fp = new byte[16];
    fp[1] = 5;
    byte[] value =
        LedgerCodec.encode(
            new LedgerEntry(
                "postbus.jobs", 2, 40, "j-2", 1000, EVENT, fp, LedgerOutcome.DEAD_LETTERED));
    LedgerCodec.Scanned s = new LedgerCodec.Scanned();
    assertThat(LedgerCodec.scan(value, s)).isTrue();
    assertThat(new String(value, s.idStart, s.idLength, StandardCharsets.UTF_8)).isEqualTo("j-2");
    assertThat(new String(value, s.topicStart, s.topicLength, StandardCharsets.UTF_8))
        .isEqualTo("postbus.jobs");
    assertThat(s.partition).isEqualTo(2);
    assertThat(s.offset).isEqualTo(40);
    assertThat(s.atMillis).isEqualTo(1000);
    assertThat(java.util.Arrays.copyOfRange(value, s.fingerprintStart, s.fingerprintStart + 16))
        .isEqualTo(fp);
    assertThat(s.outcome).isEqualTo(LedgerOutcome.DEAD_LETTERED);

    byte[] old = LedgerCodec.encode(new LedgerEntry("postbus.jobs", 2, 40, "j-2", 1000, EVENT));
    assertThat(LedgerCodec.scan(old, s)).isTrue();
    assertThat(s.fingerprintStart).isEqualTo(-1);
    assertThat(s.outcome).isEqualTo(LedgerOutcome.DELIVERED); // its event says so
  }

  @Test
  void inJsonTheFingerprintAndOutcomeComeBackToo() {
    byte[] fp = new byte[16];
    fp[3] = 7;
    LedgerEntry e =
        new LedgerEntry("postbus.jobs", 2, 40, "j-2", 1000, EVENT, fp, LedgerOutcome.RETRY);
    LedgerEntry back =
        LedgerCodec.decode(LedgerCodec.encode(e, dev.postbus.worker.config.LedgerFormat.JSON));
    assertThat(back.fingerprint()).isEqualTo(fp);
    assertThat(back.outcome()).isEqualTo(LedgerOutcome.RETRY);
    assertThat(back.event()).isEqualTo(EVENT);
  }

  @Test
  void aJsonEntryWhoseFingerprintIsNotBase64IsMalformedLikeAnyOther() {
    byte[] value =
        ("{\"topic\":\"jobs\",\"partition\":0,\"offset\":3,\"jobId\":\"a\",\"at\":1,"
                + "\"fingerprint\":\"not base64 at all!\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    assertThatThrownBy(() -> LedgerCodec.decode(value))
        .isInstanceOf(LedgerCodec.Malformed.class)
        .hasMessageContaining("fingerprint");
    assertThat(LedgerEntry.decode(value)).isEmpty();
  }
}
