package dev.postbus.worker.config;

import dev.postbus.smtp.OutcomeClass;
import dev.postbus.smtp.ReplyClassifier;
import dev.postbus.worker.retry.RetryPolicy;
import java.util.Map;

/** How failures are classified and retried. */
public record FailureSettings(
    RetryPolicy ladder,
    InDoubtPolicy inDoubt,
    int freshConnectionAttempts,
    Map<String, OutcomeClass> classOverrides) {
  public FailureSettings {
    classOverrides = Map.copyOf(classOverrides);
  }

  public ReplyClassifier classifier() {
    return new ReplyClassifier(classOverrides);
  }
}
