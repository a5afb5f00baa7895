package dev.postbus.smtp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * A TLS reply's deadline against the read's end: the watchdog's late call closes nothing once the
 * read ended, nor the read armed after it (the interleavings, on one thread).
 */
class ReadDeadlineTest {

  @Test
  void aReadThatEndedKeepsItsSocketWhenTheWatchdogComesLate() {
    Socket raw = new Socket();
    ReadDeadline deadline = new ReadDeadline(raw);
    deadline.arm(System.nanoTime() - 1);
    assertThat(deadline.disarm()).as("in time").isTrue();
    deadline.timedOut();
    assertThat(raw.isClosed()).isFalse();
  }

  @Test
  void theNextReadIsNotCutByTheLastOnesDeadline() {
    Socket raw = new Socket();
    ReadDeadline deadline = new ReadDeadline(raw);
    deadline.arm(System.nanoTime() - 1);
    deadline.disarm();
    deadline.arm(System.nanoTime() + 60_000_000_000L);
    deadline.timedOut(); // the watchdog saw the last read's deadline
    assertThat(raw.isClosed()).isFalse();
    assertThat(deadline.disarm()).isTrue();
  }

  @Test
  void aReadCutByItsDeadlineIsToldSo() {
    Socket raw = new Socket();
    ReadDeadline deadline = new ReadDeadline(raw);
    deadline.arm(System.nanoTime() - 1);
    deadline.timedOut();
    assertThat(raw.isClosed()).isTrue();
    assertThat(deadline.disarm()).as("in time").isFalse();
    assertThat(deadline.expired()).isTrue();
  }

  /**
   * After the deadline won, the bytes read stand; the next read may be served from the TLS socket's
   * buffer, with no socket read to fail. Arming it must not hide that the socket is closed: the
   * session is not reused.
   */
  @Test
  void aDeadlineThatWonStaysWonWhenTheNextReadIsArmed() {
    Socket raw = new Socket();
    ReadDeadline deadline = new ReadDeadline(raw);
    deadline.arm(System.nanoTime() - 1);
    deadline.timedOut();
    assertThat(deadline.expired()).isTrue();
    deadline.arm(System.nanoTime() + 60_000_000_000L); // the next reply's read
    assertThat(deadline.expired()).as("cut after the next read is armed").isTrue();
    assertThat(deadline.disarm()).as("the next read in time").isFalse();
    assertThat(deadline.expired()).as("cut after the next read").isTrue();
  }
}
