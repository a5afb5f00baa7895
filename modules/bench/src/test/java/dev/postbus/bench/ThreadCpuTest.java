package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void aThreadThatEndedDuringTheRunKeepsItsCpu() throws Exception {
    ThreadCpu cpu = ThreadCpu.now();
    CountDownLatch burnt = new CountDownLatch(1);
    CountDownLatch end = new CountDownLatch(1);
    Thread jetty =
        new Thread(
            () -> {
              burn();
              burnt.countDown();
              awaitQuietly(end);
            },
            "JettyServerThreadPool-test-1");
    jetty.start();
    burnt.await();
    cpu.sample(); // what the sampler does every 200 ms, here while the thread is known alive
    end.countDown();
    jetty.join();

    assertThat(cpu.since("bench-client-").get(ThreadCpu.Part.RECEIVER)).isGreaterThan(0.1);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Spends 200 ms of this thread's CPU. */
  private static void burn() {
    long until = THREADS.getCurrentThreadCpuTime() + 200_000_000L;
    long x = 0;
    while (THREADS.getCurrentThreadCpuTime() < until) {
      x += System.nanoTime() % 7;
    }
    if (x == 42) {
      System.out.print("");
    }
  }
}
