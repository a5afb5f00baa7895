package dev.postbus.worker.ledger;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's MockProducer answering only when a test says so ({@code completeNext}, {@code
 * errorNext}); its flush returns at once instead of answering everything.
 */
public final class ManualProducer extends MockProducer<byte[], byte[]> {

  public ManualProducer() {
    super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Override
  public void flush() {}
}
