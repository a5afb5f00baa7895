package dev.postbus.job;

/**
 * A job's class: {@code transactional} (the default: receipts, password resets) or {@code bulk}
 * (campaigns, newsletters). Each class is published to its own topic ({@link #topic}); a worker
 * serves transactional mail first.
 */
public enum JobClass {
  TRANSACTIONAL("transactional"),
  BULK("bulk");

  /** The suffix of the bulk class's topic: {@code <topic>.bulk}. */
  public static final String BULK_SUFFIX = ".bulk";

  private final String wire;

  JobClass(String wire) {
    this.wire = wire;
  }

  /** The name in the job's {@code class} field and in the {@code postbus.class} header. */
  public String wire() {
    return wire;
  }

  /** The topic this class is published to, given the jobs topic. */
  public String topic(String jobsTopic) {
    return this == BULK ? jobsTopic + BULK_SUFFIX : jobsTopic;
  }

  /**
   * The class named {@code value} ({@code transactional} or {@code bulk}, exactly).
   *
   * @param field the name reported in the error ({@code class}, {@code --class}...)
   */
  public static JobClass parse(String value, String field) throws InvalidJobException {
    for (JobClass c : values()) {
      if (c.wire.equals(value)) {
        return c;
      }
    }
    // the value given is not echoed: it may be anything, an address or a line break included
    throw new InvalidJobException(field, "expected \"transactional\" or \"bulk\"");
  }

  @Override
  public String toString() {
    return wire;
  }
}
