package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

  private static final Path DOC = Path.of("../../docs/configuration.md");

  @Test
  void configurationReferenceMatchesTheKeyDeclarations() throws Exception {
    String expected = ConfigReference.markdown();
    Path current = Path.of("target/configuration.md");
    Files.createDirectories(current.getParent());
    Files.writeString(current, expected, StandardCharsets.UTF_8);
    assertThat(Files.exists(DOC)).as("docs/configuration.md exists").isTrue();
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    assertThat(doc)
        .as(
            "docs/configuration.md is out of date: put modules/worker/target/configuration.md in"
                + " place of everything before the receiver's section")
        .startsWith(expected);
    // the rest is the feedback receiver's section alone (FeedbackConfigTest checks it)
    assertThat(doc.substring(expected.length())).startsWith("\n" + RECEIVER_HEADING + "\n");
  }

  /** FeedbackReference.HEADING: the feedback module's section ends the file. */
  private static final String RECEIVER_HEADING = "## The feedback receiver (`postbus feedback`)";

  @Test
  void everyKeyIsDocumentedWithItsVariableAndDefault() {
    String md = ConfigReference.markdown();
    for (ConfigKey<?> k : Keys.ALL) {
      assertThat(md).contains("`" + k.name() + "`").contains("`" + k.env() + "`");
      assertThat(k.doc()).as(k.name()).isNotBlank();
    }
    assertThat(md)
        .contains("## Essentials")
        .contains("## Frequently used")
        .contains("## Rarely used")
        .contains("POSTBUS_KAFKA_CLIENT_<PROPERTY>");
  }

  @Test
  void everyKeyDeclaredInAnAreaIsListedOnceInAll() throws Exception {
    List<ConfigKey<?>> declared = new ArrayList<>();
    for (Class<?> area :
        List.of(
            KafkaKeys.class,
            SmtpKeys.class,
            RelayKeys.class,
            LimitKeys.class,
            RetryKeys.class,
            ReputationKeys.class,
            ReturnPathKeys.class,
            ClassKeys.class,
            UnsubscribeKeys.class,
            WorkerKeys.class)) {
      for (Field f : area.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigKey.class) {
          f.setAccessible(true);
          declared.add((ConfigKey<?>) f.get(null));
        }
      }
    }
    declared.removeAll(RelayKeys.OWN); // templates of relay.<name>.*, documented on their own
    assertThat(Keys.ALL).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(declared);
  }
}
