package dev.postbus.feedback.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The records' JSON, written field by field, is byte for byte what a Jackson tree of the formats in
 * docs/feedback.md gives (how they were made before), and reads back.
 */
class FeedbackCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-12-06T21:41:17.123Z");
  private static final Instant NOW = Instant.parse("2026-12-06T21:41:18Z");

  private static final List<Feedback> REPORTS =
      List.of(
          new Feedback(
              FeedbackType.BOUNCE,
              BounceClass.PERMANENT,
              "user@example.com",
              "5.1.1",
              "smtp; 550 5.1.1 \"user\" unknown\n\u00e9\u2603",
              "0b8f7e4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
              "0102018c-relay",
              "ses",
              "sns-1",
              AT,
              "{\"notificationType\":\"Bounce\"}"),
          new Feedback(
              FeedbackType.COMPLAINT,
              null,
              "user@example.com",
              null,
              "abuse",
              "0b8f7e4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
              null,
              "postmark",
              null,
              AT,
              "x".repeat(FeedbackCodec.RAW_LIMIT + 10)),
          new Feedback(
              FeedbackType.DELIVERY, null, null, null, null, null, null, "generic", "e", AT, null),
          new Feedback(
              FeedbackType.BOUNCE,
              BounceClass.TRANSIENT,
              "a@b.example",
              "4.2.2",
              null,
              "0b8f7e4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
              "r",
              "mailgun",
              "m-2",
              AT,
              "y".repeat(FeedbackCodec.RAW_LIMIT)),
          new Feedback(
              FeedbackType.BOUNCE,
              BounceClass.PERMANENT,
              "user@example.com",
              "5.1.1",
              "smtp; 550 \uD83D\uDE02 mailbox full of laughs",
              "0b8f7e4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
              "r",
              "ses",
              "sns-3",
              AT,
              // cut at RAW_LIMIT between the emoji's two halves
              "a".repeat(FeedbackCodec.RAW_LIMIT - 1) + "\uD83D\uDE02"),
          new Feedback(
              FeedbackType.COMPLAINT,
              null,
              "u\u0000@example.com",
              "\u001f",
              "line\u2028separator\u0000end\u001f",
              "job\u2028",
              "\u0000",
              "generic",
              "\u2029",
              AT,
              "\u0000\u001f\u2028"),
          new Feedback(FeedbackType.COMPLAINT, null, "", "", "", "", "", "", "", AT, ""),
          new Feedback(
              FeedbackType.BOUNCE,
              BounceClass.TRANSIENT,
              "\"q\\@example.com",
              "4.\"\\",
              "\"quoted\" \\ back\\slash\\",
              "\"job\\",
              "\\relay\"",
              "\"gen\\",
              "\\\"",
              AT,
              "{\"a\":\"\\\"\"}"));

  @Test
  void aFeedbackRecordIsWhatItsTreeGives() throws Exception {
    for (Feedback f : REPORTS) {
      assertThat(FeedbackCodec.value(f, NOW))
          .as(f.toString())
          .isEqualTo(JSON.writeValueAsBytes(valueTree(f, NOW)));
    }
  }

  @Test
  void anEventIsWhatItsTreeGives() throws Exception {
    for (Feedback f : REPORTS) {
      ObjectNode tree = eventTree(f, NOW);
      byte[] event = FeedbackCodec.event(f, NOW);
      if (tree == null) {
        assertThat(event).isNull();
      } else {
        assertThat(event).as(f.toString()).isEqualTo(JSON.writeValueAsBytes(tree));
      }
    }
  }

  @Test
  void aLongRawPayloadSizesTheBufferByWhatIsKept() {
    int kept = FeedbackCodec.bufferSize("x".repeat(FeedbackCodec.RAW_LIMIT));
    assertThat(FeedbackCodec.bufferSize("x".repeat(4 * 1024 * 1024))).isEqualTo(kept);
    assertThat(kept).isBetween(FeedbackCodec.RAW_LIMIT, 2 * FeedbackCodec.RAW_LIMIT);
  }

  @Test
  void aRecordReadsBackWithoutItsRaw() {
    Feedback f = REPORTS.get(0);
    assertThat(FeedbackCodec.read(FeedbackCodec.value(f, NOW)))
        .isEqualTo(
            new Feedback(
                f.type(),
                f.bounceClass(),
                f.recipient(),
                f.status(),
                f.diagnostic(),
                f.jobId(),
                f.relayMessageId(),
                f.provider(),
                f.providerEventId(),
                f.at(),
                null));
  }

  private static ObjectNode valueTree(Feedback f, Instant receivedAt) {
    ObjectNode n = JSON.createObjectNode();
    n.put("schema", FeedbackCodec.SCHEMA);
    n.put("type", f.type().label());
    if (f.bounceClass() != null) {
      n.put("bounceClass", f.bounceClass().label());
    }
    n.put("recipient", f.recipient());
    n.put("status", f.status());
    n.put("diagnostic", f.diagnostic());
    n.put("jobId", f.jobId());
    n.put("relayMessageId", f.relayMessageId());
    n.put("provider", f.provider());
    n.put("providerEventId", f.providerEventId());
    n.put("at", f.at().toString());
    n.put("receivedAt", receivedAt.toString());
    if (f.raw() != null) {
      boolean cut = f.raw().length() > FeedbackCodec.RAW_LIMIT;
      n.put("raw", cut ? f.raw().substring(0, FeedbackCodec.RAW_LIMIT) : f.raw());
      if (cut) {
        n.put("rawTruncated", true);
      }
    }
    return n;
  }

  private static ObjectNode eventTree(Feedback f, Instant receivedAt) {
    if (f.jobId() == null
        || (f.type() != FeedbackType.BOUNCE && f.type() != FeedbackType.COMPLAINT)) {
      return null;
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("type", f.type() == FeedbackType.BOUNCE ? "bounced" : "complained");
    n.put("jobId", f.jobId());
    n.put("at", receivedAt.toString());
    n.put("reportedAt", f.at().toString());
    if (f.recipient() != null) {
      n.putArray("recipients").add(f.recipient());
    }
    if (f.bounceClass() != null) {
      n.put("bounceClass", f.bounceClass().label());
    }
    n.put("status", f.status());
    n.put("diagnostic", f.diagnostic());
    n.put("provider", f.provider());
    n.put("providerEventId", f.providerEventId());
    n.put("relayMessageId", f.relayMessageId());
    n.put("suppressed", f.suppresses());
    return n;
  }
}
