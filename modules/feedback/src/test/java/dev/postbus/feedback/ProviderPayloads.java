package dev.postbus.feedback;

/**
 * Payloads in the shapes the providers document: SendGrid's Event Webhook
 * (twilio.com/docs/sendgrid/for-developers/tracking-events/event), Postmark's bounce and spam
 * complaint webhooks (postmarkapp.com/developer/webhooks), Mailgun's webhooks
 * (documentation.mailgun.com, webhooks / securing webhooks).
 */
public final class ProviderPayloads {

  private ProviderPayloads() {}

  /** A bounce, a blocked bounce, a spam report and an open, as one batch. */
  public static String sendGridBatch(String prefix, long timestamp) {
    return """
        [{"email":"gone@example.net","timestamp":%2$d,"smtp-id":"<job-sg-1@example.com>",
          "event":"bounce","category":["receipts"],"sg_event_id":"%1$s-bounce",
          "sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
          "reason":"550 5.1.1 The email account that you tried to reach does not exist.",
          "status":"5.1.1","type":"bounce","bounce_classification":"Invalid Address",
          "tls":1,"ip":"192.0.2.10"},
         {"email":"full@example.net","timestamp":%2$d,"event":"bounce","type":"blocked",
          "sg_event_id":"%1$s-blocked","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.2",
          "reason":"452 4.2.2 Mailbox full","status":"4.2.2","postbus_job":"job-sg-2"},
         {"email":"angry@example.net","timestamp":%2$d,"event":"spamreport",
          "sg_event_id":"%1$s-spam","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.3",
          "postbus-job":"job-sg-3"},
         {"email":"reader@example.net","timestamp":%2$d,"event":"open","sg_event_id":"%1$s-open",
          "sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.4","useragent":"Mozilla/5.0",
          "ip":"198.51.100.3"}]
        """
        .formatted(prefix, timestamp);
  }

  public static String postmarkBounce(long id, String type, String email, String jobId) {
    return """
        {"RecordType":"Bounce","MessageStream":"outbound","ID":%d,"Type":"%s","TypeCode":1,
         "Name":"Hard bounce","Tag":"receipts","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483",
         "Metadata":{"postbus-job":"%s","customer":"1234"},"ServerID":23,
         "Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",
         "Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.",
         "Email":"%s","From":"shop@example.com","BouncedAt":"2026-12-02T10:00:05Z",
         "DumpAvailable":true,"Inactive":true,"CanActivate":true,"Subject":"Your receipt","Content":null}
        """
        .formatted(id, type, jobId, email);
  }

  public static String postmarkComplaint(long id, String email) {
    return """
        {"RecordType":"SpamComplaint","MessageStream":"broadcast","ID":%d,"Type":"SpamComplaint",
         "TypeCode":512,"Name":"Spam complaint","Tag":"news","MessageID":"00000000-0000-0000-0000-000000000000",
         "Metadata":{},"ServerID":23,"Description":"","Details":"Test spam complaint details",
         "Email":"%s","From":"news@example.com","BouncedAt":"2026-12-02T10:06:00Z",
         "DumpAvailable":true,"Inactive":true,"CanActivate":false,"Subject":"News"}
        """
        .formatted(id, email);
  }

  /** A Mailgun webhook body, its signature object filled by the caller. */
  public static String mailgun(
      String timestamp,
      String token,
      String signature,
      String eventId,
      String event,
      String severity) {
    return """
        {"signature":{"timestamp":"%s","token":"%s","signature":"%s"},
         "event-data":{"event":"%s","id":"%s","timestamp":1764669605.375624,"log-level":"error",
          "severity":"%s","reason":"bounce","recipient":"gone@example.net","recipient-domain":"example.net",
          "envelope":{"sender":"bounce@mg.example.com","transport":"smtp","targets":"gone@example.net"},
          "message":{"headers":{"to":"gone@example.net","message-id":"job-mg-1@example.com",
            "from":"Shop <shop@example.com>","subject":"Your receipt"},"attachments":[],"size":1045},
          "delivery-status":{"code":550,"attempt-no":1,"enhanced-code":"5.1.1",
            "message":"5.1.1 The email account that you tried to reach does not exist.",
            "description":"","session-seconds":0.4},
          "flags":{"is-routed":false,"is-authenticated":true,"is-system-test":false,"is-test-mode":false},
          "tags":["receipts"],"user-variables":{"postbus_job":"job-mg-var"}}}
        """
        .formatted(timestamp, token, signature, event, eventId, severity);
  }
}
