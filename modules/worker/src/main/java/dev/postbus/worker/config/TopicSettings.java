package dev.postbus.worker.config;

/** How the worker creates missing topics. */
public record TopicSettings(boolean autoCreate, int partitions, short replication) {}
