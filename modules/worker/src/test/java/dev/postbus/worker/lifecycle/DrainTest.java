package dev.postbus.worker.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.InterruptException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The drain's steps: one that leaves the thread interrupted cuts no later step's wait short. */
class DrainTest {

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void aStepThatThrowsKafkasInterruptExceptionDoesNotCutALaterStepsWait() {
    AtomicBoolean laterSawInterrupt = new AtomicBoolean(true);
    Drain.Steps steps = new Drain.Steps();

    steps.run(
        "the consumer's stop",
        () -> {
          throw new InterruptException("interrupted while committing"); // sets the flag
        });
    steps.run(
        "stopping the lanes", () -> laterSawInterrupt.set(Thread.currentThread().isInterrupted()));

    assertThat(laterSawInterrupt.get())
        .as("the lanes' join would throw at once: sessions cut mid-send")
        .isFalse();
    steps.end();
    assertThat(Thread.interrupted()).as("set again when the drain ends").isTrue();
  }
}
