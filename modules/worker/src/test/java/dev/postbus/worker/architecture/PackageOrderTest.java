package dev.postbus.worker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The worker's packages import one way only, in the order of docs/architecture.md: each may use the
 * packages before it in {@link #ORDER} and none after it. A new package must be given its place
 * here.
 */
class PackageOrderTest {

  /** Lowest first. */
  static final List<String> ORDER =
      List.of(
          "time",
          "retry",
          "config",
          "dispatch",
          "ledger",
          "dedupe",
          "topics",
          "reputation",
          "relay",
          "outcome",
          "delivery",
          "consume",
          "ops",
          "lifecycle");

  private static final String ROOT = "dev.postbus.worker";
  private static final JavaClasses WORKER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  @Test
  void everyPackageHasItsPlaceInTheOrder() {
    Set<String> packages =
        WORKER.stream()
            .map(c -> c.getPackageName().substring(ROOT.length() + 1).split("\\.")[0])
            .collect(Collectors.toSet());
    assertThat(ORDER).containsAll(packages);
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(WORKER);
  }

  @Test
  void eachPackageUsesOnlyThePackagesBeforeIt() {
    for (int i = 0; i < ORDER.size() - 1; i++) {
      String[] later =
          ORDER.subList(i + 1, ORDER.size()).stream()
              .map(p -> ROOT + "." + p + "..")
              .toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(ROOT + "." + ORDER.get(i) + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(later)
          .because(
              ORDER.get(i)
                  + " comes before "
                  + String.join(", ", ORDER.subList(i + 1, ORDER.size()))
                  + " in docs/architecture.md")
          .check(WORKER);
    }
  }
}
