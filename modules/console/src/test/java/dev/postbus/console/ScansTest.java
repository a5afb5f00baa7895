package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.http.HttpResponseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ScansTest {

  @Test
  void aScanBeyondTheLimitIsAnsweredWith503UntilOneEnds() throws Exception {
    Scans scans = new Scans(1);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> first =
        CompletableFuture.runAsync(
            () -> {
              try {
                scans
                    .limit(
                        ctx -> {
                          started.countDown();
                          release.await(30, TimeUnit.SECONDS);
                        })
                    .handle(null);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

    boolean[] ran = {false};
    assertThatThrownBy(() -> scans.limit(ctx -> ran[0] = true).handle(null))
        .isInstanceOfSatisfying(
            HttpResponseException.class, e -> assertThat(e.getStatus()).isEqualTo(503))
        .hasMessageContaining("try again");
    assertThat(ran[0]).isFalse();

    release.countDown();
    first.get(30, TimeUnit.SECONDS);
    scans.limit(ctx -> ran[0] = true).handle(null);
    assertThat(ran[0]).as("a scan after the other ended").isTrue();
  }

  @Test
  void aScanThatFailsGivesItsPlaceBack() throws Exception {
    Scans scans = new Scans(1);
    assertThatThrownBy(
            () ->
                scans
                    .limit(
                        ctx -> {
                          throw new IllegalStateException("Kafka gone");
                        })
                    .handle(null))
        .hasMessage("Kafka gone");
    boolean[] ran = {false};
    scans.limit(ctx -> ran[0] = true).handle(null);
    assertThat(ran[0]).isTrue();
  }
}
