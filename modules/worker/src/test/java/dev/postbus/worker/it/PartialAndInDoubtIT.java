package dev.postbus.worker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.MailAddress;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.worker.lifecycle.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SharedKafka.class)
class PartialAndInDoubtIT {

  @Test
  void refusedRecipientsAreDeadLetteredOrRetriedWhileTheOthersGetTheMessage(EmbeddedKafka kafka) {
    AtomicInteger fullMailboxRefusals = new AtomicInteger();
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(
          new Faults() {
            @Override
            public Reply recipient(String address) {
              if (address.startsWith("gone@")) {
                return new Reply(550, "5.1.1 User unknown");
              }
              if (address.startsWith("full@") && fullMailboxRefusals.getAndIncrement() == 0) {
                return new Reply(452, "4.2.2 Mailbox full");
              }
              return null;
            }
          });
      f.publish(
          List.of(
              new Job(
                  1,
                  "partial-1",
                  MailAddress.of("shop@example.com"),
                  null,
                  List.of(MailAddress.of("ok@example.net"), MailAddress.of("gone@example.net")),
                  List.of(MailAddress.of("full@example.net")),
                  null,
                  "s",
                  "t",
                  null,
                  null,
                  null,
                  null,
                  null,
                  null)));
      f.start(f.config(relay.port(), 1, "partial", Map.of("retry.delays", "1s")));

      await().atMost(Duration.ofSeconds(30)).until(() -> relay.received() >= 2);
      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", 1, Duration.ofSeconds(20));
      assertThat(dead).hasSize(1);
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.RECIPIENTS))
          .isEqualTo("[\"gone@example.net\"]");
      assertThat(Fixtures.header(dead.get(0), PostbusHeaders.ENHANCED_CODE)).isEqualTo("5.1.1");
      assertThat(relay.recent(10))
          .extracting(m -> m.recipients())
          .containsExactlyInAnyOrder(List.of("ok@example.net"), List.of("full@example.net"));
    }
  }

  @Test
  void inDoubtPolicyDeadLetterSendsNothingTwice(EmbeddedKafka kafka) {
    try (SmtpCapture relay = SmtpCapture.start(0);
        Fixtures f = new Fixtures(kafka.bootstrapServers())) {
      relay.faults(
          new Faults() {
            @Override
            public Duration replyDelay(String messageId, int offered) {
              return messageId.startsWith("<doubt-") ? Duration.ofMillis(2000) : Duration.ZERO;
            }
          });
      f.publish("doubt", 2);
      Worker w =
          f.start(
              f.config(
                  relay.port(),
                  2,
                  "doubt",
                  Map.of(
                      "retry.in-doubt",
                      "dead-letter",
                      "smtp.read-timeout",
                      "500ms",
                      "smtp.data-done-timeout",
                      "500ms",
                      "retry.delays",
                      "1s")));
      List<ConsumerRecord<byte[], byte[]>> dead =
          f.read(f.topic + ".dlt", 2, Duration.ofSeconds(30));
      assertThat(dead)
          .hasSize(2)
          .allSatisfy(
              r -> {
                assertThat(Fixtures.header(r, PostbusHeaders.IN_DOUBT)).isEqualTo("true");
                assertThat(Fixtures.header(r, PostbusHeaders.CLASS)).isEqualTo("transient");
              });
      // The late replies arrive (the relay accepted both) and no second copy follows.
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(8))
          .until(
              () ->
                  relay.countsByMessageId().size() == 2
                      && relay.countsByMessageId().values().stream().allMatch(n -> n == 1));
      assertThat(w.stats().snapshot().inDoubt()).isEqualTo(2);
    }
  }
}
