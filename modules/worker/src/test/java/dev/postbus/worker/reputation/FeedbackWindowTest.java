package dev.postbus.worker.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FeedbackWindowTest {

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-12-01T00:00:00Z"));
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  /** 24 h, judged from 100 recipients, bounces over 8%, complaints from 0.3%. */
  private final FeedbackWindow window =
      new FeedbackWindow(Duration.ofHours(24), 100, 0.08, 0.003, 1_000_000, clock);

  private void later(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  private void sendJobs(String prefix, int jobs) {
    for (int i = 0; i < jobs; i++) {
      window.sent(prefix + i, List.of("user-" + i + "@example.net"), 0);
    }
  }

  @Test
  void complaintsReportedHoursLaterTripAtTheirOwnLimitAgainstTheRecipientsSentInTheWindow() {
    sendJobs("job-", 1000);
    later(Duration.ofHours(6));
    window.reported("job-1", "user-1@example.net", FeedbackWindow.Kind.COMPLAINT);
    window.reported("job-2", "USER-2@Example.NET", FeedbackWindow.Kind.COMPLAINT);
    assertThat(window.verdict()).as("0.2%% is under 0.3%%").isNull();
    assertThat(window.complaintRate()).isEqualTo(0.002);

    window.reported("job-3", "user-3@example.net", FeedbackWindow.Kind.COMPLAINT);

    assertThat(window.verdict())
        .isEqualTo(
            "complaint rate 0.30% of the 1000 recipients sent within 1d"
                + " (guard.max-complaint-rate 0.30%)");
  }

  @Test
  void bouncesReportedLaterAddToTheBouncesRefusedAtOnce() {
    for (int i = 0; i < 100; i++) {
      window.sent(
          "job-" + i, i < 5 ? List.of() : List.of("user-" + i + "@example.net"), i < 5 ? 1 : 0);
    }
    assertThat(window.verdict()).isNull();
    for (int i = 5; i < 9; i++) {
      window.reported("job-" + i, "user-" + i + "@example.net", FeedbackWindow.Kind.BOUNCE);
    }
    assertThat(window.bounceRate()).isEqualTo(0.09);
    assertThat(window.verdict())
        .isEqualTo(
            "bounce rate 9.0% of the 100 recipients sent within 1d, bounces reported later"
                + " included (guard.max-bounce-rate 8.0%)");
  }

  @Test
  void aReportIsCountedOnceAndOnlyForARecipientSentHereInTheWindow() {
    sendJobs("job-", 200);
    assertThat(window.reported("job-1", "user-1@example.net", FeedbackWindow.Kind.COMPLAINT))
        .isTrue();
    assertThat(window.reported("job-1", "user-1@example.net", FeedbackWindow.Kind.COMPLAINT))
        .as("a repeat of the same report")
        .isFalse();
    assertThat(window.reported("job-1", "other@example.net", FeedbackWindow.Kind.COMPLAINT))
        .as("not a recipient of that job")
        .isFalse();
    assertThat(window.reported("elsewhere-7", "user-7@example.net", FeedbackWindow.Kind.BOUNCE))
        .as("a job another worker sent")
        .isFalse();
    assertThat(window.reported("job-1", "user-1@example.net", FeedbackWindow.Kind.BOUNCE))
        .as("a bounce after a complaint is another report")
        .isTrue();
    assertThat(window.complaintRate()).isEqualTo(0.005);
    assertThat(window.bounceRate()).isEqualTo(0.005);
  }

  @Test
  void sendsOlderThanTheWindowLeaveItWithTheirReports() {
    sendJobs("old-", 1000);
    window.reported("old-1", "user-1@example.net", FeedbackWindow.Kind.COMPLAINT);
    later(Duration.ofHours(25).plusMinutes(1));
    assertThat(window.reported("old-2", "user-2@example.net", FeedbackWindow.Kind.COMPLAINT))
        .as("sent more than 24 h ago")
        .isFalse();
    sendJobs("new-", 100);
    assertThat(window.complaintRate()).isZero();
    assertThat(window.sends()).isEqualTo(100);
  }

  @Test
  void itJudgesOnlyOnceEnoughRecipientsWereSent() {
    sendJobs("job-", 99);
    for (int i = 0; i < 50; i++) {
      window.reported("job-" + i, "user-" + i + "@example.net", FeedbackWindow.Kind.COMPLAINT);
    }
    assertThat(window.verdict()).isNull();
    sendJobs("more-", 1);
    assertThat(window.verdict()).startsWith("complaint rate 50.00% of the 100 recipients");
  }

  @Test
  void clearingStartsAFreshWindowAndZeroLimitsAreOff() {
    sendJobs("job-", 100);
    for (int i = 0; i < 10; i++) {
      window.reported("job-" + i, "user-" + i + "@example.net", FeedbackWindow.Kind.COMPLAINT);
    }
    assertThat(window.verdict()).isNotNull();
    window.clear();
    assertThat(window.verdict()).isNull();
    assertThat(window.sends()).isZero();

    FeedbackWindow off = new FeedbackWindow(Duration.ofHours(24), 10, 0, 0, 1_000_000, clock);
    for (int i = 0; i < 10; i++) {
      off.sent("j" + i, List.of("u@example.net"), 1);
      off.reported("j" + i, "u@example.net", FeedbackWindow.Kind.COMPLAINT);
    }
    assertThat(off.verdict()).isNull();
  }

  @Test
  void farMoreRecipientsThanTheCapKeepAtMostTheCapDroppingTheOldestSlicesEarly() {
    FeedbackWindow capped =
        new FeedbackWindow(Duration.ofHours(24), 100, 0.08, 0.003, 10_000, clock);
    for (int hour = 0; hour < 24; hour++) {
      for (int i = 0; i < 5_000; i++) {
        capped.sent("job-" + hour + "-" + i, List.of("user-" + i + "@example.net"), 0);
      }
      later(Duration.ofHours(1).minusMinutes(1));
    }
    assertThat(capped.retained()).isLessThanOrEqualTo(10_000).isPositive();
    assertThat(capped.droppedEarly()).isGreaterThanOrEqualTo(110_000 - 10_000);
    assertThat(capped.reported("job-23-7", "user-7@example.net", FeedbackWindow.Kind.BOUNCE))
        .as("the newest sends are kept")
        .isTrue();
  }

  @Test
  void aSmallWindowIsNotTrippedByOneComplaintButByThree() {
    FeedbackWindow small = new FeedbackWindow(Duration.ofHours(24), 10, 0.08, 0.003, 1_000, clock);
    for (int i = 0; i < 10; i++) {
      small.sent("job-" + i, List.of("user-" + i + "@example.net"), 0);
    }
    small.reported("job-1", "user-1@example.net", FeedbackWindow.Kind.COMPLAINT);
    assertThat(small.verdict()).as("one complaint in ten is 10%% but one person").isNull();
    small.reported("job-2", "user-2@example.net", FeedbackWindow.Kind.COMPLAINT);
    assertThat(small.verdict()).isNull();
    small.reported("job-3", "user-3@example.net", FeedbackWindow.Kind.COMPLAINT);
    assertThat(small.verdict()).startsWith("complaint rate 30.00% of the 10 recipients");
  }
}
