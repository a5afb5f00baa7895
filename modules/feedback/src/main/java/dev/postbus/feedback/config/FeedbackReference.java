package dev.postbus.feedback.config;

/**
 * The receiver's section of docs/configuration.md (its last), generated from {@link FeedbackKeys}
 * so doc and code agree: FeedbackConfigTest checks it, the worker's ConfigReferenceTest everything
 * before it.
 */
public final class FeedbackReference {

  /** The heading the section starts with (after a blank line). */
  public static final String HEADING = "## The feedback receiver (`postbus feedback`)";

  private FeedbackReference() {}

  /** The section, from the blank line before its heading to the end of the file. */
  public static String section() {
    return "\n"
        + HEADING
        + "\n\n"
        + "<!-- Generated from the key declarations in"
        + " modules/feedback/.../config/FeedbackKeys.java by FeedbackReference.\n"
        + "     FeedbackConfigTest fails when this section and the code disagree; it writes it to\n"
        + "     modules/feedback/target/configuration-feedback.md. -->\n\n"
        + "`postbus feedback` ([feedback](feedback.md)) has keys of its own. They go in a properties"
        + " file\n(`postbus feedback --config FILE`) or in environment variables, which win. Kafka"
        + " comes from\n`-b`/`POSTBUS_KAFKA_BOOTSTRAP_SERVERS`, the jobs topic from"
        + " `-t`/`POSTBUS_TOPIC`, and client settings from\n`POSTBUS_KAFKA_CLIENT_*`, as for the"
        + " other commands. When `feedback.events-topic` is not set,\n`POSTBUS_EVENTS_TOPIC` is"
        + " used. A bad value, an unknown `feedback.*` key or an unknown\n`POSTBUS_FEEDBACK_*`"
        + " variable stops start-up with exit code 2 and a line naming the key.\n\n"
        + table();
  }

  public static String table() {
    StringBuilder md = new StringBuilder();
    md.append("| key | environment variable | meaning | unit | default | allowed |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (FeedbackKey k : FeedbackKeys.ALL) {
      md.append("| `")
          .append(k.name())
          .append("` | `")
          .append(k.env())
          .append("` | ")
          .append(cell(k.doc()))
          .append(k.secret() ? " Secret: never logged or shown." : "")
          .append(" | ")
          .append(k.unit())
          .append(" | ")
          .append(k.defaultText() == null ? "(none)" : "`" + cell(k.defaultText()) + "`")
          .append(" | ")
          .append(cell(k.allowed()))
          .append(" |\n");
    }
    return md.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
