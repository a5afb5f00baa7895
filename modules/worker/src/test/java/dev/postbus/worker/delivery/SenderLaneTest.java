package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.collect.MoreCollectors;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.PostbusHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One or more sender lanes against a real SMTP server, with Kafka's MockProducer. */
class SenderLaneTest {

  private static Job job(String id) {
    return Job.text(id, "shop@example.com", "bob@example.net", "Receipt", "Thanks");
  }

  @Test
  void anUnexpectedErrorOnOneJobRetriesThatJobAndTheLaneGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  if (calls.getAndIncrement() == 0) {
                    throw new IllegalStateException("a bug of ours");
                  }
                  return true;
                })) {
      h.offer(job("first"));
      h.offer(job("second"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the second job").isEqualTo(1);
      assertThat(h.topics()).anyMatch(t -> t.startsWith("jobs.retry"));
      assertThat(h.thread(0).isAlive()).isTrue();
    }
  }

  /** Under a rate limit, each send's wait for its permit is recorded under its class. */
  @Test
  void aSendsWaitForItsRatePermitIsRecordedUnderItsClass() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of("rate-limit", "1000"), pool -> true)) {
      h.offer(job("first"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      assertThat(h.permitWaits).containsExactly(dev.postbus.job.JobClass.TRANSACTIONAL);
    }
  }

  /**
   * Only another producer could write such a header; whatever it holds, the record is dead-lettered
   * (read as absent it would send to every recipient) and the lane takes the next job. The dead
   * letter keeps the header's bytes, exactly, under postbus.original.recipients (never read as a
   * restriction), and its reason says that a replay sends to all the job's recipients.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "[\"bob@example.net\", null]",
        "null",
        "{\"to\": 1}",
        "[[1]]",
        "bob@",
        "[\"carol@example.org\"]" // well formed, but names none of the job's recipients
      })
  void aMalformedRecipientsHeaderDeadLettersItsRecordAndTheLaneGoesOn(String header)
      throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      RecordHeaders bad = new RecordHeaders();
      bad.add(PostbusHeaders.RECIPIENTS, header.getBytes(StandardCharsets.UTF_8));
      var badOne = h.offer(job("bad"), bad);
      h.offer(job("good"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("only the good job is sent").isEqualTo(1);
      ProducerRecord<byte[], byte[]> dead =
          h.producer.history().stream()
              .filter(r -> r.topic().equals("jobs.dlt"))
              .collect(MoreCollectors.onlyElement());
      assertThat(dead.value()).as("the raw bytes").isEqualTo(badOne.value());
      assertThat(text(dead, PostbusHeaders.CLASS)).isEqualTo("poison");
      assertThat(text(dead, PostbusHeaders.REASON))
          .startsWith(PostbusHeaders.RECIPIENTS + ":")
          .contains("replaying the dead letter sends to all the job's recipients")
          .contains(PostbusHeaders.ORIGINAL_RECIPIENTS);
      assertThat(dead.headers().lastHeader(PostbusHeaders.RECIPIENTS))
          .as("no restriction a replay would read")
          .isNull();
      var kept = dead.headers().lastHeader(PostbusHeaders.ORIGINAL_RECIPIENTS);
      assertThat(kept).as("the malformed header, kept for the operator").isNotNull();
      assertThat(kept.value())
          .as("its exact bytes")
          .isEqualTo(header.getBytes(StandardCharsets.UTF_8));
      assertThat(dead.headers().headers(PostbusHeaders.ORIGINAL_RECIPIENTS)).hasSize(1);
      assertThat(h.thread(0).isAlive()).isTrue();
      assertThat(h.lost).isEmpty();
    }
  }

  /**
   * An error of ours while dead-lettering a record whose postbus.recipients is malformed: the
   * attempt is not retried as transient (a retry record has no usable restriction, and its next
   * attempt would send to every recipient of the job); it is dead-lettered as poison again.
   */
  @Test
  void anErrorWhileDeadLetteringAMalformedRecipientsHeaderDoesNotRetryItForAll() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.failOnDeadLettered.set(new IllegalStateException("a bug of ours while recording"));
      RecordHeaders bad = new RecordHeaders();
      bad.add(PostbusHeaders.RECIPIENTS, "bob@".getBytes(StandardCharsets.UTF_8));
      h.offer(job("bad"), bad);
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      assertThat(h.topics())
          .as("no retry record: its next attempt would send to all")
          .noneMatch(t -> t.startsWith("jobs.retry"));
      ProducerRecord<byte[], byte[]> dead =
          h.producer.history().stream()
              .filter(r -> r.topic().equals("jobs.dlt"))
              .collect(MoreCollectors.onlyElement());
      assertThat(text(dead, PostbusHeaders.CLASS)).isEqualTo("poison");
      assertThat(relay.received()).isZero();
      assertThat(h.thread(0).isAlive()).isTrue();
    }
  }

  private static String text(ProducerRecord<byte[], byte[]> r, String header) {
    return new String(r.headers().lastHeader(header).value(), StandardCharsets.UTF_8);
  }

  @Test
  void anErrorWhileRecordingADeliveryTheRelayAcceptedDoesNotSendItAgain() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.failOnDelivered = new IllegalStateException("a bug of ours after the relay said 250");
      h.offer(job("accepted"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      assertThat(relay.received()).isEqualTo(1);
      assertThat(h.topics())
          .as("the relay took it: no retry record, the job is finished as delivered")
          .noneMatch(t -> t.startsWith("jobs.retry"));
      assertThat(h.producer.history())
          .as("no in-doubt event beside the delivery")
          .noneMatch(
              r ->
                  r.topic().equals("jobs.events")
                      && new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)
                          .contains("in-doubt"));
      assertThat(h.thread(0).isAlive()).isTrue();
    }
  }

  @Test
  void anErrorOfOursAfterTheRelayAnsweredIsNotRetriedOnAFreshConnection() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.failOnSmtpSend.set(new IllegalStateException("a bug of ours after the relay said 250"));
      h.offer(job("accepted"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      assertThat(relay.received())
          .as("the relay accepted it once; the error is ours, not a reason to send it again")
          .isEqualTo(1);
      assertThat(h.topics())
          .as("the relay took it: no retry record (sent again later), finished as delivered")
          .noneMatch(t -> t.startsWith("jobs.retry"));
      assertThat(h.producer.history())
          .as("not in doubt: the relay's 250 is known")
          .noneMatch(
              r ->
                  r.topic().equals("jobs.events")
                      && new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)
                          .contains("in-doubt"));
      h.offer(job("next"));
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the lane and its connection go on").isEqualTo(2);
      assertThat(h.thread(0).isAlive()).isTrue();
    }
  }

  @Test
  void anErrorOfOursTellingThatARelayIsBackDoesNotLoseItsAnswer() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.relays.all().get(0).failed("out for this test"); // the next job probes it
      h.failOnRelaysBack.set(new IllegalStateException("a bug of ours after the relay said 250"));
      h.offer(job("accepted"));
      h.startLane("lane-0");

      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      assertThat(h.failOnRelaysBack.get()).as("the probe's answer brought the relay back").isNull();
      assertThat(relay.received()).isEqualTo(1);
      assertThat(h.topics())
          .as("the relay took it: no retry record (sent again later)")
          .noneMatch(t -> t.startsWith("jobs.retry"));
      assertThat(events(h))
          .as("recorded as delivered, not in doubt: the relay's 250 is known")
          .anyMatch(e -> e.contains("delivered"))
          .noneMatch(e -> e.contains("in-doubt"));
      h.offer(job("next"));
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 2);
      assertThat(relay.received()).as("the lane goes on").isEqualTo(2);
      assertThat(h.thread(0).isAlive()).isTrue();
    }
  }

  @Test
  void anUnexpectedErrorIsLoggedWithoutItsMessage() throws Exception {
    java.util.List<String> logged;
    try (dev.postbus.testkit.LogLines logs =
            dev.postbus.testkit.LogLines.capture("dev.postbus.worker");
        SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  throw new IllegalStateException("no route to <someone@example.org>");
                })) {
      h.offer(job("first"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      logged = logs.lines();
    }
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .as("the error is logged with its class")
        .anySatisfy(l -> assertThat(l).contains("IllegalStateException"));
  }

  /**
   * An error no lane handles (an Error, or one while recording) ends the lane; its message can
   * quote an address (an AddressException's names the address it could not parse).
   */
  @Test
  void aLaneStoppedByAnUnexpectedErrorLogsItWithoutItsMessage() throws Exception {
    java.util.List<String> logged;
    try (dev.postbus.testkit.LogLines logs =
            dev.postbus.testkit.LogLines.capture("dev.postbus.worker");
        SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  throw new AssertionError(
                      new jakarta.mail.internet.AddressException(
                          "Illegal address", "someone@example.org"));
                })) {
      h.offer(job("first"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> !h.thread(0).isAlive());
      logged = logs.lines();
    }
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("someone@example.org"));
    assertThat(logged)
        .as("the line names what happened, and the error's classes")
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("lane-0 stopped by an unexpected error")
                    .contains("AssertionError", "AddressException"));
  }

  private static java.util.List<String> events(LaneHarness h) {
    return h.producer.history().stream()
        .filter(r -> r.topic().equals("jobs.events"))
        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void aLaneThatCannotGoOnSaysSo() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  throw new StackOverflowError(); // not a job's fault; nothing to retry
                })) {
      h.offer(job("first"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> !h.thread(0).isAlive());
      assertThat(h.lost).containsExactly("lane-0");
    }
  }

  /**
   * An Error while handling a job (an OutOfMemoryError building a large job's message) ends the
   * lane. Its job is not finished, but handed back: the drain, or a hand-over of its partition,
   * does not wait for a lane that is gone, and its offset stays uncommitted (redelivered after the
   * restart the worker asks for).
   */
  @Test
  void aLaneEndedByAnErrorHandsItsJobBackUnfinished() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h =
            new LaneHarness(
                relay.port(),
                Map.of(),
                pool -> {
                  throw new OutOfMemoryError("Java heap space");
                })) {
      var big = h.offer(job("big"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> !h.thread(0).isAlive());

      assertThat(h.lost).containsExactly("lane-0");
      assertThat(h.owner.inFlight()).as("nothing left for a drain to wait for").isZero();
      assertThat(h.owner.committable()).as("not finished: uncommitted").hasValue(big.offset());
      assertThat(h.finished).isEmpty();
    }
  }

  /**
   * An Error of ours while recording what the relay answered ends the lane: the job the relay took
   * is not finished as delivered without its records (a crash-like end: the send ledger decides on
   * its next owner), nor does the drain wait for it.
   */
  @Test
  void aJobTheRelayTookIsHandedBackUnfinishedWhenAnErrorEndsItsLane() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.errorOnDelivered = new AssertionError("a bug of ours no lane survives");
      var sent = h.offer(job("sent"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> !h.thread(0).isAlive());

      assertThat(relay.received()).isEqualTo(1);
      assertThat(h.lost).containsExactly("lane-0");
      assertThat(h.owner.inFlight()).as("nothing left for a drain to wait for").isZero();
      assertThat(h.owner.committable()).as("not finished: uncommitted").hasValue(sent.offset());
      assertThat(h.finished).isEmpty();
    }
  }

  @Test
  void aRetryAfterATransientRefusalCarriesOnlyTheRecipientsStillDue() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      relay.faults(
          new dev.postbus.embedded.Faults() {
            @Override
            public Reply data(String messageId, java.util.List<String> recipients, int offered) {
              return new Reply(451, "4.3.0 try again later");
            }
          });
      h.suppressions.added(
          dev.postbus.suppression.Suppression.bounce(
              "gone@example.net", 550, "5.1.1", "RCPT", java.time.Instant.now()));
      Job two = job("two");
      two =
          new Job(
              two.schema(),
              two.id(),
              two.from(),
              null,
              java.util.List.of(
                  dev.postbus.job.MailAddress.parse("gone@example.net"),
                  dev.postbus.job.MailAddress.parse("alice@example.net")),
              null,
              null,
              two.subject(),
              two.text(),
              null,
              null,
              null,
              null,
              null,
              null);
      h.offer(two);
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);

      var retry =
          h.producer.history().stream()
              .filter(r -> r.topic().startsWith("jobs.retry"))
              .findFirst()
              .orElseThrow();
      assertThat(dev.postbus.worker.dispatch.DeliveryHeaders.recipients(retry.headers()))
          .as("the retry's recipients: not the suppressed one, dead-lettered once already")
          .containsExactly("alice@example.net");
      assertThat(h.topics()).filteredOn(t -> t.equals("jobs.dlt")).hasSize(1);
    }
  }

  @Test
  void aThrottleAtRcptSlowsTheRelayAndDoesNotUseUpAnAttempt() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      relay.faults(
          new dev.postbus.embedded.Faults() {
            @Override
            public Reply recipient(String address) {
              return address.startsWith("busy") ? new Reply(452, "4.7.1 slow down") : null;
            }
          });
      Job base = job("busy");
      h.offer(
          new Job(
              base.schema(),
              base.id(),
              base.from(),
              null,
              java.util.List.of(
                  dev.postbus.job.MailAddress.parse("alice@example.net"),
                  dev.postbus.job.MailAddress.parse("busy@example.net")),
              null,
              null,
              base.subject(),
              base.text(),
              null,
              null,
              null,
              null,
              null,
              null));
      for (int i = 0; i < 20; i++) {
        h.relays.all().get(0).rate().accepted(); // what the relay took in the last second
      }
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);

      var retry =
          h.producer.history().stream()
              .filter(r -> r.topic().startsWith("jobs.retry"))
              .findFirst()
              .orElseThrow();
      assertThat(dev.postbus.worker.dispatch.DeliveryHeaders.recipients(retry.headers()))
          .containsExactly("busy@example.net");
      assertThat(dev.postbus.worker.dispatch.DeliveryHeaders.attempts(retry.headers()))
          .as("a throttle is not an attempt")
          .isZero();
      assertThat(h.relays.all().get(0).rate().limited()).as("the relay is slowed down").isTrue();
    }
  }

  @Test
  void aConnectionHoldingTheNextJobsEnvelopeIsLetGoWhileDeliveryIsHeld() throws Exception {
    try (PipeliningRelay relay = new PipeliningRelay();
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      h.offer(job("first"));
      h.offer(job("second"));
      h.offer(job("third"));
      h.startLane("lane-0");
      // the second message's dot went out with the third's envelope behind it
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.messages.get() == 2);
      h.holds.set(dev.postbus.worker.dispatch.Holds.Reason.BOUNCE_GUARD, true); // paused
      relay.answerSecondDot.countDown();
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 2);

      await()
          .atMost(Duration.ofSeconds(10))
          .alias("the connection holding the third job's 354 is closed while delivery is held")
          .until(() -> relay.closedByClient.get() == 1);
      assertThat(relay.messages.get()).isEqualTo(2);

      h.holds.set(dev.postbus.worker.dispatch.Holds.Reason.BOUNCE_GUARD, false); // resumed
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 3);
      assertThat(relay.messages.get()).isEqualTo(3);
    }
  }

  /**
   * A lane whose job waits at the domain gate has not taken the next job ahead: another lane, free,
   * sends it meanwhile.
   */
  @Test
  void aJobQueuedBehindOneWaitingAtTheDomainGateIsNotTakenAheadIntoThatWait() throws Exception {
    try (PipeliningRelay relay = new PipeliningRelay();
        LaneHarness h =
            new LaneHarness(
                relay.port(), Map.of("smtp.domain-concurrency", "a.com=1"), pool -> true)) {
      relay.answerSecondDot.countDown();
      SenderLane warm = h.startLane("warm"); // learns that the relay takes envelopes ahead
      h.offer(Job.text("warm", "shop@example.com", "x@c.com", "Receipt", "Thanks"));
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      warm.stop();
      h.thread(0).join(10_000);

      dev.postbus.worker.delivery.DomainGate.Pass elsewhere =
          h.shared
              .domains()
              .enter(
                  new jakarta.mail.Address[] {new jakarta.mail.internet.InternetAddress("y@a.com")},
                  dev.postbus.job.JobClass.TRANSACTIONAL);
      var d = h.offer(Job.text("d", "shop@example.com", "x@a.com", "News", "Hello"));
      var n = h.offer(Job.text("n", "shop@example.com", "x@b.com", "Receipt", "Thanks"));
      h.startLane("lane-1"); // takes d, which waits for a.com's place
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> h.queue.size() <= 1 && h.thread(1).getState() == Thread.State.TIMED_WAITING);
      h.startLane("lane-2");
      await()
          .atMost(Duration.ofSeconds(20))
          .alias("the job behind the waiting one is sent by the free lane")
          .until(() -> h.finished.contains(n));
      assertThat(h.finished).doesNotContain(d);
      elsewhere.close();
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.contains(d));
    }
  }

  @Test
  void whileEveryRelayIsOutALaneStillProbesAndDeliversWhenTheRelayIsBack() throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0);
        LaneHarness h = new LaneHarness(relay.port(), Map.of(), pool -> true)) {
      relay.goDown();
      h.offer(job("waits"));
      h.startLane("lane-0");
      await().atMost(Duration.ofSeconds(20)).until(h.relays::allOut);
      // the hold follows "all out" on the lane's thread, just after it (Relays tells its listener
      // outside its monitor): waited for, not read at once
      await("the consumer pauses").atMost(Duration.ofSeconds(20)).until(h.holds::held);

      relay.resume();
      await().atMost(Duration.ofSeconds(20)).until(() -> h.finished.size() == 1);
      assertThat(relay.received()).isEqualTo(1);
      assertThat(h.holds.held()).isFalse();
    }
  }
}
