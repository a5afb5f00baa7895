package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.parse.MailgunEvents;
import dev.postbus.feedback.parse.PostmarkRecords;
import dev.postbus.feedback.parse.SendGridEvents;
import dev.postbus.feedback.parse.SesNotifications;
import dev.postbus.job.Job;
import dev.postbus.worker.config.Provider;
import dev.postbus.worker.delivery.MessageBuilder;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker and the receiver agree on each provider's metadata: the header the worker writes for a
 * relay's provider, carried through a message's bytes, then turned into that provider's webhook
 * payload the way its documentation says it reports metadata (SES tags in {@code mail.tags},
 * SendGrid unique args as fields of each event, Postmark {@code Metadata}, Mailgun {@code
 * user-variables}), is read back to the job id by the receiver's parser. The payloads carry no
 * Message-ID and no {@code X-Postbus-Job}: the metadata alone names the job.
 */
class ProviderMetadataRoundTripTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");

  @ParameterizedTest
  @EnumSource(
      value = Provider.class,
      names = {"NONE"},
      mode = EnumSource.Mode.EXCLUDE)
  void theHeaderTheWorkerWritesIsReadBackToTheJobByTheReceiver(Provider provider) throws Exception {
    for (String id : List.of("order-42", "6f1c2a7e-3b1d-4c55-9e0a-2d8f1b7c9a10", "a_b-C9")) {
      assertThat(roundTrip(provider, id)).as("%s, job %s", provider, id).isEqualTo(id);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"order:42/a+b=c.d@e~f", "x.y"})
  void jsonProvidersCarryEveryCharacterAJobIdMayHave(String id) throws Exception {
    assertThat(roundTrip(Provider.SENDGRID, id)).isEqualTo(id);
    assertThat(roundTrip(Provider.MAILGUN, id)).isEqualTo(id);
    assertThat(roundTrip(Provider.POSTMARK, id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"order-42", "order:42/a+b=c.d@e~f"})
  void theJobHeaderOfEveryMessageIsReadBackFromTheHeadersAReportQuotes(String id) throws Exception {
    MimeMessage sent = sentMessage(Provider.NONE, id);
    ObjectNode n = JSON.createObjectNode();
    n.put("notificationType", "Bounce");
    ObjectNode mail = n.putObject("mail");
    mail.put("messageId", "0100018c5a0b9b7f-2f8c1b0e-6c7d-4f0f-9a1b-1c2d3e4f5a6b-000000");
    ArrayNode headers = mail.putArray("headers"); // SES with "Include original headers"
    var all = sent.getAllHeaders();
    while (all.hasMoreElements()) {
      jakarta.mail.Header h = all.nextElement();
      if (!h.getName().equalsIgnoreCase("Message-ID")) { // the job header alone names the job
        headers.addObject().put("name", h.getName()).put("value", h.getValue());
      }
    }
    ObjectNode bounce = n.putObject("bounce");
    bounce.put("bounceType", "Permanent");
    bounce.putArray("bouncedRecipients").addObject().put("emailAddress", "b@example.net");
    List<Feedback> reports = SesNotifications.parse(JSON.writeValueAsString(n), "sns-2", NOW);
    assertThat(reports).extracting(Feedback::jobId).containsExactly(id);
  }

  /** The job id the receiver reads from the provider's report of a message the worker sent. */
  private static String roundTrip(Provider provider, String id) throws Exception {
    MimeMessage sent = sentMessage(provider, id);
    String value = sent.getHeader(provider.header(), null);
    assertThat(value).as("%s header on the message", provider).isNotNull();
    List<Feedback> reports =
        switch (provider) {
          case SES -> SesNotifications.parse(ses(value), "sns-1", NOW);
          case SENDGRID -> SendGridEvents.parse(sendGrid(value), NOW);
          case POSTMARK -> PostmarkRecords.parse(postmark(sent), NOW);
          case MAILGUN -> MailgunEvents.parse(mailgun(value), NOW);
          case NONE -> throw new IllegalArgumentException();
        };
    assertThat(reports).hasSize(1);
    return reports.get(0).jobId();
  }

  /**
   * A message as the worker builds and a relay of {@code provider} receives it (bytes read back).
   */
  private static MimeMessage sentMessage(Provider provider, String id) throws Exception {
    Session session = Session.getInstance(new Properties());
    MimeMessage m =
        new MessageBuilder(session, Clock.systemUTC())
            .build(Job.text(id, "shop@example.com", "b@example.net", "Hi", "Hello"));
    if (provider != Provider.NONE) {
      m.setHeader(provider.header(), provider.value(id)); // as the lane does for the relay
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    return new MimeMessage(session, new ByteArrayInputStream(out.toByteArray()));
  }

  /** SES: {@code X-SES-MESSAGE-TAGS: name=value, name=value} comes back as {@code mail.tags}. */
  private static String ses(String header) throws Exception {
    ObjectNode n = JSON.createObjectNode();
    n.put("notificationType", "Bounce");
    ObjectNode mail = n.putObject("mail");
    mail.put("messageId", "0100018c5a0b9b7f-2f8c1b0e-6c7d-4f0f-9a1b-1c2d3e4f5a6b-000000");
    ObjectNode tags = mail.putObject("tags");
    for (String pair : header.split(",")) {
      String[] kv = pair.strip().split("=", 2);
      tags.putArray(kv[0]).add(kv[1]);
    }
    ObjectNode bounce = n.putObject("bounce");
    bounce.put("bounceType", "Permanent");
    bounce.put("timestamp", NOW.toString());
    bounce.putArray("bouncedRecipients").addObject().put("emailAddress", "b@example.net");
    return JSON.writeValueAsString(n);
  }

  /** SendGrid: the unique args of {@code X-SMTPAPI} come back as fields of each event. */
  private static byte[] sendGrid(String header) throws Exception {
    ArrayNode batch = JSON.createArrayNode();
    ObjectNode e = batch.addObject();
    e.put("event", "bounce");
    e.put("email", "b@example.net");
    e.put("sg_event_id", "sg-1");
    e.put("sg_message_id", "sgm-1");
    e.put("timestamp", NOW.getEpochSecond());
    Iterator<Map.Entry<String, JsonNode>> args = JSON.readTree(header).path("unique_args").fields();
    args.forEachRemaining(a -> e.set(a.getKey(), a.getValue()));
    return JSON.writeValueAsBytes(batch);
  }

  /** Postmark: each {@code X-PM-Metadata-<name>} header comes back in {@code Metadata}. */
  private static byte[] postmark(MimeMessage sent) throws Exception {
    ObjectNode n = JSON.createObjectNode();
    n.put("RecordType", "Bounce");
    n.put("ID", 4323372036854775807L);
    n.put("Type", "HardBounce");
    n.put("Email", "b@example.net");
    n.put("MessageID", "883953f4-6105-42a2-a16a-77a8eac79483");
    ObjectNode metadata = n.putObject("Metadata");
    var headers = sent.getAllHeaders();
    while (headers.hasMoreElements()) {
      jakarta.mail.Header h = headers.nextElement();
      if (h.getName().regionMatches(true, 0, "X-PM-Metadata-", 0, 14)) {
        metadata.put(h.getName().substring(14), h.getValue());
      }
    }
    return JSON.writeValueAsBytes(n);
  }

  /** Mailgun: the JSON of {@code X-Mailgun-Variables} comes back as {@code user-variables}. */
  private static JsonNode mailgun(String header) throws Exception {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("signature").put("timestamp", "1").put("token", "t").put("signature", "s");
    ObjectNode e = n.putObject("event-data");
    e.put("event", "failed");
    e.put("severity", "permanent");
    e.put("id", "mg-1");
    e.put("recipient", "b@example.net");
    e.set("user-variables", JSON.readTree(header));
    return n;
  }
}
