package dev.postbus.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One corpus, two judges: {@code docs/job.schema.json} and {@link JobCodec#read}. They must agree.
 */
class JobCorpusTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCHEMA = Path.of("../../docs/job.schema.json");
  private static final JsonSchema VALIDATOR = loadSchema();
  private final JobCodec codec = new JobCodec();

  record Case(String name, boolean valid, String field, JsonNode job) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> corpus() throws Exception {
    try (InputStream in = JobCorpusTest.class.getResourceAsStream("/job-corpus.json")) {
      List<Case> cases = new ArrayList<>();
      for (JsonNode c : JSON.readTree(in)) {
        cases.add(
            new Case(
                c.get("case").asText(),
                c.get("valid").asBoolean(),
                c.path("field").asText(null),
                c.get("job")));
      }
      return cases.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void schemaAndJavaValidationGiveTheSameVerdict(Case c) throws Exception {
    boolean schemaSaysValid = VALIDATOR.validate(c.job()).isEmpty();
    byte[] bytes = JSON.writeValueAsBytes(c.job());

    assertThat(schemaSaysValid)
        .as("JSON Schema verdict for '%s': %s", c.name(), VALIDATOR.validate(c.job()))
        .isEqualTo(c.valid());
    if (c.valid()) {
      assertThat(codec.read(bytes).id()).isEqualTo(c.job().get("id").asText());
    } else {
      InvalidJobException e =
          catchThrowableOfType(InvalidJobException.class, () -> codec.read(bytes));
      assertThat(e).as("Java validation must refuse '%s'", c.name()).isNotNull();
      assertThat(e.field()).as(e.getMessage()).isEqualTo(c.field());
    }
  }

  @Test
  void corpusCoversEveryValidationRuleOnBothSides() throws Exception {
    long valid = corpus().filter(Case::valid).count();
    long invalid = corpus().filter(c -> !c.valid()).count();
    assertThat(valid).isGreaterThanOrEqualTo(15);
    assertThat(invalid).isGreaterThanOrEqualTo(50);
  }

  private static JsonSchema loadSchema() {
    try {
      JsonNode schema = JSON.readTree(Files.readAllBytes(SCHEMA));
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
    } catch (Exception e) {
      throw new IllegalStateException("cannot load " + SCHEMA.toAbsolutePath(), e);
    }
  }
}
