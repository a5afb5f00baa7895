package dev.postbus.feedback.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The feedback module's packages import one way only (docs/architecture.md): each may use those
 * before it in {@link #ORDER}; the root package (the server) uses them all.
 */
class PackageOrderTest {

  static final List<String> ORDER =
      List.of("model", "config", "verify", "parse", "write", "receive");

  private static final String ROOT = "dev.postbus.feedback";
  private static final JavaClasses FEEDBACK =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  @Test
  void everyPackageHasItsPlaceInTheOrder() {
    Set<String> packages =
        FEEDBACK.stream()
            .map(c -> c.getPackageName())
            .filter(p -> !p.equals(ROOT))
            .map(p -> p.substring(ROOT.length() + 1).split("\\.")[0])
            .collect(Collectors.toSet());
    assertThat(ORDER).containsAll(packages);
  }

  @Test
  void eachPackageUsesOnlyThePackagesBeforeIt() {
    for (int i = 0; i < ORDER.size(); i++) {
      List<String> later = ORDER.subList(i + 1, ORDER.size());
      String[] forbidden =
          java.util.stream.Stream.concat(
                  later.stream().map(p -> ROOT + "." + p + ".."), java.util.stream.Stream.of(ROOT))
              .toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(ROOT + "." + ORDER.get(i) + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(forbidden)
          .because(ORDER.get(i) + " comes before " + later + " and the server")
          .check(FEEDBACK);
    }
  }
}
