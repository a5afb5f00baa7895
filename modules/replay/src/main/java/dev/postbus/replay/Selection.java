package dev.postbus.replay;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which dead letters a filter is limited to, beside its criteria: all of them, those of some job
 * ids, or some positions in the dead-letter topic (the console's ticked rows). "All" is said, never
 * implied: a set of ids or positions is never empty (an empty one is refused where it is built), so
 * a blank selection can never widen to the whole topic.
 */
public sealed interface Selection {

  /** Every dead letter (the other criteria still apply). */
  Selection ALL = new All();

  boolean matches(DeadLetter d);

  /** A stable text of the selection, part of the replay's identity. */
  String key();

  /** Job ids; none blank, at least one (refused naming the CLI's {@code --id}). */
  static Selection jobIds(Set<String> ids) {
    return new JobIds(ids);
  }

  /**
   * Job ids; none blank, at least one, refused naming {@code field}: the option or form field they
   * were typed in ({@code --id}, {@code id}).
   */
  static Selection jobIds(Set<String> ids, String field) {
    return new JobIds(checked(ids, field));
  }

  private static Set<String> checked(Set<String> ids, String field) {
    if (ids == null || ids.isEmpty() || ids.stream().anyMatch(i -> i == null || i.isBlank())) {
      throw new IllegalArgumentException(
          field + ": give at least one job id, none blank (leave it out for all)");
    }
    return Set.copyOf(ids);
  }

  /** Positions ({@code partition@offset}); at least one. */
  static Selection positions(Set<Position> positions) {
    return new Positions(positions);
  }

  /** Every dead letter. */
  record All() implements Selection {
    @Override
    public boolean matches(DeadLetter d) {
      return true;
    }

    @Override
    public String key() {
      return "ids=[]"; // as before selections had types: the groups of earlier replays still hold
    }
  }

  /** The dead letters of these jobs. */
  record JobIds(Set<String> ids) implements Selection {
    public JobIds {
      ids = checked(ids, "--id");
    }

    @Override
    public boolean matches(DeadLetter d) {
      return ids.contains(d.jobId());
    }

    /**
     * {@code ids=}, as before the job id was the payload's {@code id} field (it was the record
     * key): a replay by id that did replay then (a topic keyed by job id) keeps its group and is
     * not run again. One run then on a topic keyed otherwise may have committed past what it did
     * not match: docs/failures-and-retries.md says to delete its group.
     */
    @Override
    public String key() {
      return "ids=" + new TreeSet<>(ids);
    }
  }

  /** The dead letters at these positions of the dead-letter topic. */
  record Positions(Set<Position> positions) implements Selection {
    public Positions {
      if (positions == null || positions.isEmpty()) {
        throw new IllegalArgumentException(
            "select: choose at least one dead letter (nothing was selected)");
      }
      positions = Set.copyOf(positions);
    }

    @Override
    public boolean matches(DeadLetter d) {
      return positions.contains(new Position(d.record().partition(), d.record().offset()));
    }

    @Override
    public String key() {
      return "positions="
          + positions.stream()
              .map(Position::toString)
              .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** A dead letter's place in the dead-letter topic. */
  record Position(int partition, long offset) {
    public Position {
      if (partition < 0 || offset < 0) {
        throw new IllegalArgumentException(
            "position: must be partition@offset, both at least 0; got " + partition + "@" + offset);
      }
    }

    /** {@code 3@1207}; an {@link IllegalArgumentException} saying what was wrong otherwise. */
    public static Position parse(String text) {
      String[] parts = text == null ? new String[0] : text.strip().split("@", -1);
      try {
        if (parts.length == 2) {
          return new Position(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(
          "position: must look like 3@1207 (partition@offset), got '" + text + "'");
    }

    @Override
    public String toString() {
      return partition + "@" + offset;
    }
  }
}
