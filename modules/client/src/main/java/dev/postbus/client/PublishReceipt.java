package dev.postbus.client;

/** Where Kafka stored a job: proof that it was accepted (acks=all). */
public record PublishReceipt(String jobId, String topic, int partition, long offset) {}
