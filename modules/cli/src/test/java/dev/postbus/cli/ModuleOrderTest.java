package dev.postbus.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The modules use each other as the table in docs/architecture.md says, and no other way: checked
 * on the production classes of every module (the cli's class path holds them all).
 */
class ModuleOrderTest {

  /** Which other modules each module may use. */
  private static final Map<String, List<String>> MAY_USE =
      Map.ofEntries(
          Map.entry("job", List.of()),
          Map.entry("kafka", List.of()),
          Map.entry("durations", List.of()),
          Map.entry("client", List.of("job", "kafka")),
          Map.entry("smtp", List.of()),
          Map.entry("suppression", List.of("job", "kafka")),
          Map.entry("worker", List.of("job", "kafka", "durations", "smtp", "suppression")),
          Map.entry("replay", List.of("job", "kafka", "durations")),
          Map.entry("console", List.of("job", "kafka", "suppression", "replay")),
          Map.entry("feedback", List.of("job", "kafka", "durations", "suppression")),
          Map.entry("embedded", List.of()),
          Map.entry("testkit", List.of("embedded", "kafka")),
          Map.entry(
              "bench",
              List.of(
                  "job",
                  "kafka",
                  "client",
                  "smtp",
                  "suppression",
                  "worker",
                  "feedback",
                  "embedded")),
          Map.entry(
              "cli",
              List.of(
                  "job",
                  "kafka",
                  "durations",
                  "client",
                  "smtp",
                  "suppression",
                  "worker",
                  "replay",
                  "console",
                  "feedback",
                  "embedded",
                  "bench")));

  /** Every module with production classes (deployment has tests only). */
  private static final java.util.Set<String> ALL = MAY_USE.keySet();

  private static final JavaClasses POSTBUS =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.postbus");

  @Test
  void eachModuleUsesOnlyTheModulesItMay() {
    MAY_USE.forEach(
        (module, allowed) -> {
          String[] others =
              ALL.stream()
                  .filter(m -> !m.equals(module) && !allowed.contains(m))
                  .map(m -> "dev.postbus." + m + "..")
                  .toArray(String[]::new);
          noClasses()
              .that()
              .resideInAPackage("dev.postbus." + module + "..")
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(others)
              .because(
                  module
                      + " may use only "
                      + (allowed.isEmpty() ? "no other module" : allowed)
                      + " (docs/architecture.md)")
              .check(POSTBUS);
        });
  }

  @Test
  void smtpKnowsNothingOfKafkaOrJobs() {
    noClasses()
        .that()
        .resideInAPackage("dev.postbus.smtp..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "dev.postbus.job..")
        .check(POSTBUS);
  }
}
