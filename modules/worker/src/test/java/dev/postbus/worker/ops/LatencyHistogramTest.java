package dev.postbus.worker.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void percentilesAreWithinTheBucketResolution() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 1; i <= 1000; i++) {
      h.record(i * 100L); // 0.1 ms .. 100 ms
    }
    assertThat(h.count()).isEqualTo(1000);
    assertThat(h.percentile(0.5).toNanos() / 1e6).isBetween(50.0, 50.0 * 1.07);
    assertThat(h.percentile(0.99).toNanos() / 1e6).isBetween(99.0, 99.0 * 1.07);
  }

  @Test
  void bucketsCoverEveryValueInOrder() {
    for (long v : new long[] {0, 1, 15, 16, 17, 31, 32, 1000, 123_456, Long.MAX_VALUE / 2}) {
      int i = LatencyHistogram.index(v);
      assertThat(LatencyHistogram.upperEdge(i)).isGreaterThanOrEqualTo(v);
      if (i > 0) {
        assertThat(LatencyHistogram.upperEdge(i - 1)).isLessThan(v);
      }
    }
  }

  @Test
  void emptyHistogramSaysZero() {
    assertThat(new LatencyHistogram().percentile(0.99)).isEqualTo(Duration.ZERO);
  }
}
