package dev.postbus.suppression;

import java.util.Map;

/** The suppression list's topic: {@code <topic>.suppressions}, compacted, keyed by address. */
public final class SuppressionTopic {

  private SuppressionTopic() {}

  public static String of(String jobsTopic) {
    return jobsTopic + ".suppressions";
  }

  /** Compacted: the newest record of each address is the list; a tombstone removes it. */
  public static Map<String, String> config() {
    return Map.of("cleanup.policy", "compact");
  }
}
