package dev.postbus.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.job.Job;
import dev.postbus.job.JobCodec;
import dev.postbus.job.Unsubscribe;
import dev.postbus.job.UnsubscribeToken;
import dev.postbus.smtp.OutcomeClass;
import dev.postbus.suppression.Suppression;
import dev.postbus.suppression.SuppressionSet;
import dev.postbus.worker.config.UnsubscribeLinks;
import dev.postbus.worker.reputation.Suppressions;
import jakarta.mail.Session;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class UnsubscribeHeadersTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
  private static final UnsubscribeToken TOKENS = new UnsubscribeToken("k".repeat(32), null);
  private static final Session SESSION = Session.getInstance(new Properties());
  private static final String LONG_LOCAL = "a".repeat(60);

  private final JobCodec codec = new JobCodec();
  private final SuppressionSet set = new SuppressionSet();
  private final Suppressions suppressions = new Suppressions(set, Set.of(), null, null, CLOCK);

  private Preparation preparation(UnsubscribeLinks links) {
    return new Preparation(
        codec,
        new MessageBuilder(SESSION, CLOCK, null, links),
        CLOCK,
        pool -> true,
        "*",
        suppressions);
  }

  private static final UnsubscribeLinks LINKS =
      new UnsubscribeLinks("https://mail.example.com/postbus", TOKENS);

  private byte[] newsletter(String to) {
    return codec.encode(
        Job.text("0b6e7a52-4d0c-4b5e-9d3a-1f1c2e3d4a5b", "news@example.com", to, "News", "Hi")
            .withUnsubscribe(new Unsubscribe("news")));
  }

  private static String source(Preparation.Result r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ((Preparation.Ready) r).message().writeTo(out);
    return out.toString(StandardCharsets.US_ASCII);
  }

  @Test
  void aJobWithUnsubscribeCarriesBothHeadersEachOnOneLine() throws Exception {
    String to = LONG_LOCAL + "@" + "sub.".repeat(10) + "example.com";

    String source = source(preparation(LINKS).prepare(newsletter(to), null));

    Matcher m =
        Pattern.compile(
                "\r\nList-Unsubscribe: <https://mail\\.example\\.com/postbus/u/([^>\r\n]+)>\r\n")
            .matcher(source);
    assertThat(m.find()).as("an unfolded List-Unsubscribe in\n%s", source).isTrue();
    assertThat(m.group(0).length()).isGreaterThan(200); // long enough that a folder would fold it
    assertThat(source).contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    UnsubscribeToken.Claim claim = TOKENS.check(m.group(1)).claim();
    assertThat(claim.list()).isEqualTo("news");
    assertThat(claim.address()).isEqualTo(to);
    assertThat(claim.jobId()).isEqualTo("0b6e7a52-4d0c-4b5e-9d3a-1f1c2e3d4a5b");
    assertThat(Arrays.stream(source.split("\r\n")).mapToInt(String::length).max().orElse(0))
        .isLessThanOrEqualTo(998);
  }

  @Test
  void aJobWithoutUnsubscribeHasNoListHeaders() throws Exception {
    String source =
        source(
            preparation(LINKS)
                .prepare(
                    codec.encode(Job.text("j-1", "a@example.com", "b@example.com", "Hi", "Hi")),
                    null));
    assertThat(source).doesNotContain("List-Unsubscribe");
  }

  @Test
  void aJobWithUnsubscribeIsDeadLetteredNamingTheKeyWhenNoLinksAreConfigured() {
    Preparation.Result r = preparation(null).prepare(newsletter("b@example.com"), null);

    assertThat(r).isInstanceOf(Preparation.Refused.class);
    var f = ((Preparation.Refused) r).failure();
    assertThat(f.outcomeClass()).isEqualTo(OutcomeClass.POISON);
    assertThat(f.reason()).contains("unsubscribe.base-url");
  }

  @Test
  void aListScopedEntryKeepsOffThatListsMailButNotTransactionalMail() {
    set.add(Suppression.unsubscribe("b@example.com", "news", CLOCK.instant()));
    Preparation p = preparation(LINKS);

    Preparation.Result bulk = p.prepare(newsletter("b@example.com"), null);
    Preparation.Result reset =
        p.prepare(
            codec.encode(Job.text("j-2", "a@example.com", "b@example.com", "Reset", "Hi")), null);

    assertThat(bulk).isInstanceOf(Preparation.Refused.class);
    assertThat(((Preparation.Refused) bulk).failure().outcomeClass())
        .isEqualTo(OutcomeClass.SUPPRESSED);
    assertThat(((Preparation.Refused) bulk).recipients()).isEqualTo(List.of("b@example.com"));
    assertThat(reset).isInstanceOf(Preparation.Ready.class);
  }
}
