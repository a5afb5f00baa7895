package dev.postbus.worker.config;

import static dev.postbus.worker.config.Importance.FREQUENT;
import static dev.postbus.worker.config.Importance.RARE;

/**
 * The keys of the two job classes (transactional and bulk): on or off, the lanes kept for
 * transactional mail, the bulk floor. Every key is also listed in {@link Keys#ALL}.
 */
public final class ClassKeys {

  private ClassKeys() {}

  public static final ConfigKey<Boolean> ENABLED =
      ConfigKey.of(
          "classes.enabled",
          FREQUENT,
          ValueType.bool(),
          true,
          "Serve transactional mail first: bulk partitions (<topic>.bulk) paused while transactional jobs wait "
              + "(queued or lagging), transactional jobs taken from the dispatch queue first, lanes kept for them, "
              + "and a floor for bulk. false: one first-come first-served queue over both topics (the behaviour "
              + "before the classes, for comparison).");

  public static final ConfigKey<Integer> TRANSACTIONAL_LANES =
      ConfigKey.computed(
          "classes.transactional-lanes",
          RARE,
          ValueType.integer(0, 10_000),
          "⌈lanes / 4⌉",
          "Sender lanes that never take a bulk job, so a transactional job never waits behind every lane busy "
              + "with bulk mail. Must be fewer than the lanes (the sum of every relay's connections).");

  public static final ConfigKey<Double> BULK_FLOOR =
      ConfigKey.of(
          "classes.bulk-floor",
          RARE,
          ValueType.fraction(0, 1),
          0.1,
          "The share of sends that go to bulk jobs while jobs of both classes wait, so a steady stream of "
              + "transactional mail cannot starve a campaign (0: bulk only when no transactional job waits).");
}
