package dev.postbus.feedback.config;

/**
 * The table of the receiver's keys in docs/feedback.md, generated from {@link FeedbackKeys} so doc
 * and code agree (FeedbackReferenceTest checks it).
 */
public final class FeedbackReference {

  private FeedbackReference() {}

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
