package dev.postbus.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedStackIT {

  @Test
  void brokerTakesAndGivesBackRecords() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.startEphemeral();
        Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic("t", 2, (short) 1))).all().get();
      try (var producer =
          new KafkaProducer<String, String>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  kafka.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new StringSerializer(),
              new StringSerializer())) {
        producer.send(new ProducerRecord<>("t", "k", "hello")).get();
      }
      try (var consumer =
          new KafkaConsumer<String, String>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                  ConsumerConfig.GROUP_ID_CONFIG, "g",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
              new StringDeserializer(),
              new StringDeserializer())) {
        consumer.subscribe(List.of("t"));
        ConsumerRecords<String, String> records = ConsumerRecords.empty();
        for (int i = 0; i < 100 && records.isEmpty(); i++) {
          records = consumer.poll(Duration.ofMillis(200));
        }
        assertThat(records.iterator().next().value()).isEqualTo("hello");
      }
    }
  }

  @Test
  void captureKeepsMessagesAndShowsThemOnItsPage() throws Exception {
    try (SmtpCapture capture = SmtpCapture.start(0);
        CapturePage page = CapturePage.start(capture, 0)) {
      Properties props = new Properties();
      props.put("mail.smtp.host", "127.0.0.1");
      props.put("mail.smtp.port", Integer.toString(capture.port()));
      Session session = Session.getInstance(props);
      for (int i = 0; i < 2; i++) {
        MimeMessage m =
            new MimeMessage(session) {
              @Override
              protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", "<same@example.com>");
              }
            };
        m.setFrom("a@example.com");
        m.setRecipients(Message.RecipientType.TO, "b@example.com");
        m.setSubject("Grüße <b>");
        m.setText("hello");
        Transport.send(m);
      }
      assertThat(capture.received()).isEqualTo(2);
      assertThat(capture.countsByMessageId()).containsEntry("<same@example.com>", 2);
      assertThat(capture.recent(10)).extracting(CapturedMessage::subject).containsOnly("Grüße <b>");

      HttpClient http = HttpClient.newHttpClient();
      String listing =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port() + "/"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(listing).contains("2 messages received").contains("Grüße &lt;b&gt;");
      String raw =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + page.port() + "/messages/1"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(raw).contains("Message-ID: <same@example.com>");
    }
  }
}
