package dev.postbus.worker.ledger;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's MockProducer answering only when a test says so ({@code completeNext}, {@code
 * errorNext}); its flush returns at once instead of answering everything, and counts the flushes
 * (each one a produce request of the real producer).
 */
public final class ManualFlushProducer extends MockProducer<byte[], byte[]> {

  private final AtomicInteger flushes = new AtomicInteger();

  public ManualFlushProducer() {
    super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void flush() {
    flushes.incrementAndGet();
  }

  public int flushes() {
    return flushes.get();
  }
}
