package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.replay.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The dead-letter pages' index: what a page reads, with and without a change to the topic. */
class PageIndexTest {

  private static final int PAGE = 5;

  /** An in-memory topic: partitions of dead letters, a beginning per partition, reads counted. */
  static final class Topic implements PageIndex.Source {
    final List<List<DeadLetter>> partitions = new ArrayList<>();
    final long[] begin;
    long reads;

    Topic(int partitions) {
      for (int p = 0; p < partitions; p++) {
        this.partitions.add(new ArrayList<>());
      }
      this.begin = new long[partitions];
    }

    void add(int partition, String failureClass) {
      List<DeadLetter> list = partitions.get(partition);
      ConsumerRecord<byte[], byte[]> r =
          new ConsumerRecord<>(
              "t.dlt",
              partition,
              list.size(),
              ("job-" + partition + "-" + list.size()).getBytes(StandardCharsets.UTF_8),
              "{}".getBytes(StandardCharsets.UTF_8));
      r.headers().add(PostbusHeaders.CLASS, failureClass.getBytes(StandardCharsets.UTF_8));
      list.add(DeadLetter.of(r));
    }

    @Override
    public long[] begin() {
      return begin.clone();
    }

    @Override
    public long[] end() {
      return partitions.stream().mapToLong(List::size).toArray();
    }

    @Override
    public void read(int partition, long from, long to, Predicate<DeadLetter> each) {
      for (long o = Math.max(from, begin[partition]); o < to; o++) {
        reads++;
        if (!each.test(partitions.get(partition).get((int) o))) {
          return;
        }
      }
    }
  }

  private static final Predicate<DeadLetter> PERMANENT = d -> "permanent".equals(d.failureClass());

  private static Topic topic(int perPartition) {
    Topic t = new Topic(3);
    for (int p = 0; p < 3; p++) {
      for (int i = 0; i < perPartition; i++) {
        t.add(p, i % 2 == 0 ? "permanent" : "expired");
      }
    }
    return t;
  }

  private static PageIndex.Page<String> page(PageIndex index, Topic t, String key, long page) {
    return index.page(key, PERMANENT, page * PAGE, t, DeadLetter::position);
  }

  @Test
  void theSameTopicIsReadFromTheNearestCheckpointNotFromTheStart() {
    Topic t = topic(1000); // 1,500 match: 300 pages
    PageIndex index = new PageIndex(PAGE, 16);
    PageIndex.Page<String> cold = page(index, t, "k", 123);
    assertThat(t.reads).isEqualTo(3000);
    assertThat(cold.matched()).isEqualTo(1500);
    // order: partition, then offset: match 615 is the 116th even offset of partition 1
    assertThat(cold.rows()).containsExactly("1@230", "1@232", "1@234", "1@236", "1@238");

    t.reads = 0;
    PageIndex.Page<String> warm = page(index, t, "k", 123);
    assertThat(warm.rows()).isEqualTo(cold.rows());
    assertThat(warm.matched()).isEqualTo(1500);
    // a checkpoint every 10 pages: at most 11 pages of matches (2 records a match) read
    assertThat(t.reads).isBetween(1L, 11L * PAGE * 2);

    PageIndex.Page<String> uncached = page(new PageIndex(PAGE, 16), t, "k", 123);
    assertThat(uncached.rows()).isEqualTo(cold.rows());
  }

  @Test
  void aGrownTopicIsCountedByReadingOnlyTheNewRecords() {
    Topic t = topic(100);
    PageIndex index = new PageIndex(PAGE, 16);
    page(index, t, "k", 0);
    for (int i = 0; i < 10; i++) {
      t.add(0, "permanent");
      t.add(2, "expired");
    }
    t.reads = 0;
    PageIndex.Page<String> grown = page(index, t, "k", 21);
    assertThat(grown.matched()).isEqualTo(160);
    // 20 new records, then at most 11 pages of matches from a checkpoint
    assertThat(t.reads).isLessThanOrEqualTo(20 + 11L * PAGE * 2);
    PageIndex.Page<String> fresh = page(new PageIndex(PAGE, 16), t, "k", 21);
    assertThat(grown.rows()).isEqualTo(fresh.rows()).isNotEmpty();
    for (int p = 0; p < 32; p++) {
      assertThat(page(index, t, "k", p).rows())
          .as("page " + p)
          .isEqualTo(page(new PageIndex(PAGE, 16), t, "k", p).rows());
    }
  }

  @Test
  void aBeginningThatMovedRebuildsTheEntry() {
    Topic t = topic(100);
    PageIndex index = new PageIndex(PAGE, 16);
    page(index, t, "k", 3);
    t.begin[1] = 40; // retention deleted 40 records of partition 1
    t.reads = 0;
    PageIndex.Page<String> after = page(index, t, "k", 3);
    assertThat(t.reads).isEqualTo(260);
    assertThat(after.matched()).isEqualTo(130);
    assertThat(after.rows()).isEqualTo(page(new PageIndex(PAGE, 16), t, "k", 3).rows());
  }

  @Test
  void theCacheIsBoundedInFiltersAndCheckpoints() {
    Topic t = topic(20_000); // 30,000 match: 6,000 pages, 600 checkpoints at 10 pages each
    PageIndex index = new PageIndex(1, 3); // a page of 1: 30,000 checkpoints wanted
    for (int i = 0; i < 5; i++) {
      index.page("k" + i, PERMANENT, 0, t, DeadLetter::position);
    }
    assertThat(index.size()).isEqualTo(3);
    assertThat(index.checkpoints()).isLessThanOrEqualTo(3L * PageIndex.CHECKPOINTS);
    t.reads = 0;
    PageIndex.Page<String> last = index.page("k4", PERMANENT, 29_999, t, DeadLetter::position);
    assertThat(last.rows()).containsExactly("2@19998");
    // thinned to at most 1,024 checkpoints: a gap of at most 2 * 30,000 / 1,024 matches
    assertThat(t.reads).isLessThanOrEqualTo(2L * 2 * 30_000 / PageIndex.CHECKPOINTS + 4);
    t.reads = 0;
    index.page("k0", PERMANENT, 0, t, DeadLetter::position); // evicted: read whole
    assertThat(t.reads).isEqualTo(60_000);
  }

  @Test
  void noKeyIsNeverCached() {
    Topic t = topic(10);
    PageIndex index = new PageIndex(PAGE, 16);
    index.page(null, PERMANENT, 0, t, DeadLetter::position);
    assertThat(index.size()).isZero();
  }
}
