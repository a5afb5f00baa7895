package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerCpuTest {

  @Test
  void brokerThreadsAreToldApartFromClientThreads() {
    assertThat(BrokerCpu.broker("data-plane-kafka-request-handler-3")).isTrue();
    assertThat(BrokerCpu.broker("data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-0"))
        .isTrue();
    assertThat(BrokerCpu.broker("kafka-1-raft-io-thread")).isTrue();
    assertThat(BrokerCpu.broker("group-coordinator-event-processor-0")).isTrue();
    assertThat(BrokerCpu.broker("kafka-producer-network-thread | bench-1-w0-ledger")).isFalse();
    assertThat(BrokerCpu.broker("kafka-coordinator-heartbeat-thread | bench")).isFalse();
    assertThat(BrokerCpu.broker("postbus-lane-0")).isFalse();
    assertThat(BrokerCpu.broker("bench-sink-session")).isFalse();
  }
}
