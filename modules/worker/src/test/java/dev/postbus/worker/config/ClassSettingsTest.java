package dev.postbus.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassSettingsTest {

  @Test
  void byDefaultAQuarterOfTheLanesRoundedUpIsKeptForTransactionalMailAndBulkHasATenthFloor() {
    ClassSettings c = WorkerConfig.from(Settings.of(Map.of("smtp.connections", "8"))).classes();
    assertThat(c.on()).isTrue();
    assertThat(c.transactionalLanes()).isEqualTo(2);
    assertThat(c.bulkFloor()).isEqualTo(0.1);
    assertThat(WorkerConfig.from(Settings.of(Map.of("smtp.connections", "5"))).classes())
        .extracting(ClassSettings::transactionalLanes)
        .isEqualTo(2);
  }

  @Test
  void oneLaneIsNeverAllKeptForTransactionalMail() {
    ClassSettings c = WorkerConfig.from(Settings.of(Map.of("smtp.connections", "1"))).classes();
    assertThat(c.transactionalLanes()).isZero();
  }

  @Test
  void keepingEveryLaneForTransactionalMailStopsStartUpNamingTheKey() {
    assertThatThrownBy(
            () ->
                WorkerConfig.from(
                    Settings.of(
                        Map.of("smtp.connections", "4", "classes.transactional-lanes", "4"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("classes.transactional-lanes");
  }

  @Test
  void aFloorOfOneOrMoreStopsStartUpNamingTheKey() {
    assertThatThrownBy(() -> WorkerConfig.from(Settings.of(Map.of("classes.bulk-floor", "1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("classes.bulk-floor");
  }

  @Test
  void classesCanBeTurnedOff() {
    assertThat(WorkerConfig.from(Settings.of(Map.of("classes.enabled", "false"))).classes().on())
        .isFalse();
  }

  @Test
  void theBulkTopicIsConsumedAndCreatedWithTheOthers() {
    WorkerConfig c = WorkerConfig.from(Settings.of(Map.of("topic", "mail")));
    assertThat(c.consumedTopics()).contains("mail", "mail.bulk");
    assertThat(c.allTopics()).contains("mail.bulk");
  }

  private static WorkerConfig withConnections(WorkerConfig c, int connections) {
    RelayConfig r = c.relays().get(0);
    return c.toBuilder()
        .relays(
            java.util.List.of(
                new RelayConfig(
                    r.name(),
                    r.smtp(),
                    connections,
                    r.connectionsGlobal(),
                    r.rateLimit(),
                    r.rateLimitGlobal(),
                    r.weight(),
                    r.pools(),
                    r.provider())))
        .build();
  }

  @Test
  void theDefaultReservationIsDerivedAgainWhenACopyChangesTheLanes() {
    WorkerConfig eight = WorkerConfig.from(Settings.of(Map.of("smtp.connections", "8")));
    assertThat(withConnections(eight, 2).classes().transactionalLanes()).isEqualTo(1);
    assertThat(withConnections(eight, 64).classes().transactionalLanes()).isEqualTo(16);
    WorkerConfig set =
        WorkerConfig.from(
            Settings.of(Map.of("smtp.connections", "8", "classes.transactional-lanes", "3")));
    assertThat(withConnections(set, 64).classes().transactionalLanes())
        .as("a reservation set stays")
        .isEqualTo(3);
  }
}
