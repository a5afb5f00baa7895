package dev.postbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker stopped with SIGTERM drains and then exits with status 0: a clean stop must not look
 * like a failure to systemd, Kubernetes or Docker (a JVM that leaves on SIGTERM's default path
 * exits with 143).
 */
@ExtendWith(SharedKafka.class)
class WorkerStopIT {

  @Test
  void sigtermDrainsAndExitsWithStatusZero(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> env =
          MinimalWorker.environment(kafka.bootstrapServers(), relay.port(), "stop");
      env.put("POSTBUS_WORKER_ID", "stop-me");
      env.put("POSTBUS_LOG_LEVEL", "INFO");
      try (WorkerProcess w = WorkerProcess.start(env)) {
        w.awaitLog("assigned", Duration.ofSeconds(60));
        int status = w.terminate();
        assertThat(w.log()).contains("worker stop-me stopped:");
        assertThat(status).as("exit status after a clean drain").isZero();
      }
    }
  }

  /**
   * A worker whose consumer thread fails stops by itself, and exits with status 4: a supervisor
   * that restarts only on failure (systemd's Restart=on-failure, Docker's on-failure) starts it
   * again.
   */
  @Test
  void aFailedConsumerThreadEndsTheWorkerWithStatusFour(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> env =
          MinimalWorker.environment(kafka.bootstrapServers(), relay.port(), "fail");
      env.put("POSTBUS_WORKER_ID", "fail-me");
      env.put("POSTBUS_LOG_LEVEL", "INFO");
      env.put("POSTBUS_KAFKA_CLIENT_INTERCEPTOR_CLASSES", BrokenInterceptor.class.getName());
      try (WorkerProcess w = WorkerProcess.start(env)) {
        w.awaitLog("assigned", Duration.ofSeconds(60));
        try (JobPublisher publisher =
            JobPublisher.create(
                PublisherConfig.of(kafka.bootstrapServers(), env.get("POSTBUS_TOPIC")))) {
          publisher
              .publish(
                  Job.text(
                      "fail-1",
                      "shop@example.com",
                      "bob@example.net",
                      "Receipt",
                      BrokenInterceptor.MARKER))
              .join();
        }
        int status = w.awaitExit(Duration.ofSeconds(90));
        assertThat(w.log())
            .contains("consumer thread failed; stopping the worker")
            .contains(
                "worker stopped by a failure: the consumer thread failed"
                    + " (java.lang.AssertionError); exiting with 4");
        assertThat(status).as("exit status after a failure (-1: still running)").isEqualTo(4);
      }
    }
  }

  /**
   * A lost sender lane never comes back by itself (its job holds its partition's commit until a
   * restart): the worker stops as failed and exits with status 4, so that a supervisor without a
   * liveness probe (systemd's Restart=on-failure) starts it again.
   */
  @Test
  void aLostSenderLaneEndsTheWorkerWithStatusFour(EmbeddedKafka kafka) throws Exception {
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      Map<String, String> env =
          MinimalWorker.environment(kafka.bootstrapServers(), relay.port(), "lane");
      env.put("POSTBUS_WORKER_ID", "lose-a-lane");
      env.put("POSTBUS_LOG_LEVEL", "INFO");
      env.put("POSTBUS_LEDGER_ENABLED", "false");
      env.put("POSTBUS_KAFKA_CLIENT_INTERCEPTOR_CLASSES", BrokenInterceptor.class.getName());
      try (WorkerProcess w = WorkerProcess.start(env)) {
        w.awaitLog("assigned", Duration.ofSeconds(60));
        try (JobPublisher publisher =
            JobPublisher.create(
                PublisherConfig.of(kafka.bootstrapServers(), env.get("POSTBUS_TOPIC")))) {
          publisher
              .publish(
                  Job.text(
                      BrokenInterceptor.LANE_MARKER,
                      "shop@example.com",
                      "bob@example.net",
                      "Receipt",
                      "Thanks"))
              .join();
        }
        int status = w.awaitExit(Duration.ofSeconds(90));
        assertThat(w.log())
            .contains("stopped by an unexpected error")
            // whichever lane took the job (any of the 4)
            .containsPattern(
                "worker stopped by a failure: sender lane-\\d+ was lost; exiting with 4");
        assertThat(status).as("exit status after a lost lane (-1: still running)").isEqualTo(4);
      }
    }
  }
}
