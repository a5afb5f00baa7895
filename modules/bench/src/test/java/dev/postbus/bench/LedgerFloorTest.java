package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.kafka.DurableProducer;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** The floor's producers are set as the worker's ledger producer; its entries spread as jobs. */
class LedgerFloorTest {

  @Test
  void theLanesProducerIsTheWorkersLedgerProducerAndDoesNotLinger() {
    Map<String, Object> lanes = LedgerFloor.settings("127.0.0.1:1", false);
    assertThat(lanes).containsAllEntriesOf(DurableProducer.ENFORCED);
    assertThat(lanes).containsEntry(ProducerConfig.LINGER_MS_CONFIG, "0");
  }

  @Test
  void inStepGroupsGoWhenFlushedNotWhenALingerEnds() {
    Map<String, Object> inStep = LedgerFloor.settings("127.0.0.1:1", true);
    assertThat(inStep).containsAllEntriesOf(DurableProducer.ENFORCED);
    assertThat(Long.parseLong((String) inStep.get(ProducerConfig.LINGER_MS_CONFIG)))
        .isGreaterThanOrEqualTo(60_000);
  }

  @Test
  void entriesSpreadOverEveryPartitionAsJobsDo() {
    int[] counts = new int[LedgerFloor.PARTITIONS];
    IntStream.range(0, 60_000).forEach(i -> counts[LedgerFloor.partition(i)]++);
    assertThat(IntStream.of(counts).boxed())
        .allSatisfy(c -> assertThat(c).isBetween(9_000, 11_000));
    // not the i mod n of consecutive ids, which puts a group of K on K different partitions
    long sameAsModulo =
        IntStream.range(0, 600).filter(i -> LedgerFloor.partition(i) == i % 6).count();
    assertThat(sameAsModulo).isLessThan(200);
  }
}
