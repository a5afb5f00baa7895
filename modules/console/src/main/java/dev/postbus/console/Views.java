package dev.postbus.console;

import dev.postbus.job.PostbusHeaders;
import dev.postbus.replay.DeadLetter;
import dev.postbus.replay.DeadLetterFilter;
import dev.postbus.replay.Selection;
import dev.postbus.replay.TimeBound;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the templates show: plain values, ready to print. The templates escape every one of them;
 * nothing here is trusted HTML.
 */
public final class Views {

  private Views() {}

  /**
   * Every page: its title, which tab is active, the CSRF token for its forms, a notice or error.
   */
  public record Page(String title, String active, String csrf, String notice, String error) {}

  /** The dead-letter filters as typed, matching the CLI's options. */
  public record Filter(
      String since, String until, String classes, String code, String domain, String ids) {

    /** No criterion typed. */
    static final Filter NONE = new Filter("", "", "", "", "", "");

    static Filter of(io.javalin.http.Context ctx, boolean form) {
      java.util.function.Function<String, String> get =
          name -> {
            String v = form ? ctx.formParam(name) : ctx.queryParam(name);
            return v == null ? "" : v.strip();
          };
      return new Filter(
          get.apply("since"),
          get.apply("until"),
          get.apply("class"),
          get.apply("code"),
          get.apply("domain"),
          get.apply("id"));
    }

    /**
     * Its ages resolved at {@code now}; kept as typed in the replay's identity. A field that does
     * not make sense is refused naming the field ({@code id}, {@code code}), not the CLI's option.
     */
    DeadLetterFilter toFilter(Instant now) {
      TimeBound from = TimeBound.parse(given(since), "since", now);
      TimeBound to = TimeBound.parse(given(until), "until", now);
      if (from != null && to != null && !to.at().isAfter(from.at())) {
        throw new IllegalArgumentException("until: must be after since");
      }
      return new DeadLetterFilter(
          from,
          to,
          classes(classes),
          DeadLetterFilter.codePattern(given(code), "code"),
          domain.isEmpty() ? null : domain.toLowerCase(java.util.Locale.ROOT),
          ids.isBlank() ? Selection.ALL : Selection.jobIds(words(ids), "id"));
    }

    /** The filter as a query string, for links to other pages of it. */
    public String query() {
      StringBuilder b = new StringBuilder();
      add(b, "since", since);
      add(b, "until", until);
      add(b, "class", classes);
      add(b, "code", code);
      add(b, "domain", domain);
      add(b, "id", ids);
      return b.toString();
    }

    private static void add(StringBuilder b, String name, String value) {
      if (!value.isEmpty()) {
        b.append(b.length() == 0 ? "" : "&").append(name).append('=').append(url(value));
      }
    }

    /**
     * The class field's classes, comma- or space-separated (a form field; the CLI's {@code --class}
     * takes commas). Empty: every class. A field given but naming no class ({@code ,}) is refused,
     * as {@code postbus dlt --class ,} is: it never widens to every class. An unknown class is
     * refused naming the field and the known ones.
     */
    private static Set<String> classes(String text) {
      Set<String> out = words(text);
      if (out.isEmpty() && !text.isBlank()) {
        throw new IllegalArgumentException(
            "class: give at least one class ("
                + String.join(", ", DeadLetterFilter.CLASSES)
                + "), got '"
                + text
                + "' (leave the field empty for all)");
      }
      for (String c : out) {
        if (!DeadLetterFilter.CLASSES.contains(c.toLowerCase(java.util.Locale.ROOT))) {
          throw new IllegalArgumentException(
              "class: must be one of "
                  + String.join(", ", DeadLetterFilter.CLASSES)
                  + " (comma- or space-separated); got '"
                  + c
                  + "'");
        }
      }
      return out;
    }

    private static Set<String> words(String text) {
      Set<String> out = new LinkedHashSet<>();
      Arrays.stream(text.split("[,\\s]+")).filter(w -> !w.isBlank()).forEach(out::add);
      return out;
    }
  }

  /** One dead letter in the table. */
  public record DeadLetterRow(
      String position,
      String time,
      String jobId,
      String jobIdUrl,
      String failureClass,
      String code,
      String enhancedCode,
      String reason,
      String domains,
      String attempts,
      int replayCount) {

    static DeadLetterRow of(DeadLetter d) {
      String attempts = d.header(PostbusHeaders.ATTEMPTS);
      return new DeadLetterRow(
          d.position(),
          d.time().truncatedTo(ChronoUnit.SECONDS).toString(),
          d.jobId(),
          url(d.jobId()),
          d.failureClass(),
          d.code(),
          d.enhancedCode(),
          d.reason(),
          String.join(", ", d.recipientDomains()),
          attempts == null ? "" : attempts,
          d.replayCount());
    }

    /** A replay's row (kept without the payload). */
    static DeadLetterRow of(dev.postbus.replay.DeadLetterRow r) {
      return new DeadLetterRow(
          r.position(),
          r.time().truncatedTo(ChronoUnit.SECONDS).toString(),
          r.jobId(),
          url(r.jobId()),
          r.failureClass(),
          r.code(),
          r.enhancedCode(),
          r.reason(),
          String.join(", ", r.domains()),
          r.attempts(),
          r.replayCount());
    }
  }

  public record DeadLettersView(
      Page page,
      Filter filter,
      List<DeadLetterRow> rows,
      long matched,
      long scanned,
      int pageNumber,
      long first,
      boolean more) {

    public String pageLink(int n) {
      String q = filter.query();
      return "/dead-letters?" + (q.isEmpty() ? "" : q + "&") + "page=" + n;
    }
  }

  /**
   * The page a navigation from another site or port gets instead of the one it asked for.
   *
   * @param href the address asked for, a path on this console
   */
  public record OpenView(Page page, String href) {}

  public record HeaderRow(String key, String value) {}

  public record DetailView(
      Page page,
      DeadLetterRow row,
      List<HeaderRow> headers,
      String reply,
      String payload,
      String notReplayable) {}

  /**
   * A replay's preview (with the nonce its confirmation must carry) or result (nonce null).
   *
   * @param selection the ticked rows' positions, or null for a filter
   * @param shared another run of the same replay took part of it at the same time
   */
  public record ReplayView(
      Page page,
      Filter filter,
      String selection,
      String nonce,
      long matched,
      long scanned,
      List<DeadLetterRow> sample,
      long notReplayable,
      String group,
      boolean shared,
      long bulk,
      String bulkTopic,
      long unknownClass,
      List<String> missingTopicWarnings) {

    public boolean done() {
      return nonce == null;
    }
  }

  public record EventRow(String at, String type, String attempt, String worker, String details) {}

  public record JobView(
      Page page,
      String id,
      String since,
      String until,
      boolean searched,
      List<EventRow> events,
      List<DeadLetterRow> deadLetters) {}

  public record MemberRow(String clientId, String host, String partitions) {}

  public record LagRow(String partition, long committed, long end, long lag) {}

  public record Count(String name, long count) {}

  public record OverviewView(
      Page page,
      String group,
      String groupState,
      List<MemberRow> members,
      List<LagRow> lag,
      long totalLag,
      List<Count> classes,
      List<Count> lastHour,
      List<ClassRow> jobClasses) {}

  /**
   * A job class on the overview: its topic, the workers' lag on it ({@code no topic} when it does
   * not exist) and its dead letters of the last day.
   */
  public record ClassRow(String name, String topic, String lag, long deadLetters) {}

  /**
   * One entry of the suppression list.
   *
   * @param scope "global", or "list:<name>" for an entry scoped to a list
   * @param list the list's name, or "" for a global entry (what the remove form sends back)
   */
  public record SuppressionRow(
      String address,
      String scope,
      String list,
      String source,
      String code,
      String since,
      String expires,
      String reason) {}

  public record SuppressionsView(
      Page page, String query, List<SuppressionRow> rows, int total, int shown) {}

  /**
   * One bounce or complaint reported later.
   *
   * @param kind the type with its bounce class, "bounce (permanent)"
   * @param jobId null when the report was tied to no job
   */
  public record FeedbackRow(
      String at,
      String provider,
      String type,
      String kind,
      String domain,
      String recipient,
      String status,
      String diagnostic,
      String jobId,
      String raw) {

    /** The job's story page. */
    public String jobLink() {
      return "/jobs?id=" + url(jobId);
    }
  }

  public record DomainCount(String domain, String kind, long count) {}

  public record FeedbackView(
      Page page,
      String since,
      String domain,
      String type,
      List<DomainCount> byDomain,
      int moreDomains,
      List<FeedbackRow> rows,
      long total) {}

  /** Where uPlot is served from: its webjar, at the version on the class path. */
  public static final String UPLOT = uplot();

  private static String uplot() {
    String version = "1.6.30";
    try (var in =
        Views.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in != null) {
        java.util.Properties p = new java.util.Properties();
        p.load(in);
        version = p.getProperty("version", version);
      }
    } catch (java.io.IOException e) {
      // the version above
    }
    return "/webjars/uplot/" + version + "/dist/";
  }

  /** A form field as the filters take it: null when left empty. */
  static String given(String field) {
    return field == null || field.isBlank() ? null : field;
  }

  static String url(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }
}
