package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.job.JobCodec;
import dev.postbus.worker.config.KafkaKeys;
import dev.postbus.worker.config.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without a Docker engine: the services the README promises, every
 * POSTBUS_* variable a real configuration key with a valid value, and the wiring between the
 * services consistent.
 */
class ComposeFileTest {

  private final JsonNode compose = Repo.yaml("docker-compose.yml");
  private final JsonNode services = compose.get("services");

  private JsonNode service(String name) {
    JsonNode s = services.get(name);
    assertThat(s).as("service %s in docker-compose.yml", name).isNotNull();
    return s;
  }

  private List<String> postbusServices() {
    List<String> names = new ArrayList<>();
    services
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().path("image").asText().startsWith("postbus:")) {
                names.add(e.getKey());
              }
            });
    return names;
  }

  @Test
  void hasTheServicesTheReadmePromises() {
    assertThat(services.fieldNames())
        .toIterable()
        .contains("kafka", "topics", "mailpit", "worker", "publisher", "prometheus", "grafana");
    assertThat(postbusServices()).containsExactlyInAnyOrder("topics", "worker", "publisher");
  }

  @Test
  void kafkaIsTheApacheImageInKraftModeAtTheVersionOfOurClients() {
    JsonNode kafka = service("kafka");
    assertThat(kafka.get("image").asText())
        .isEqualTo("apache/kafka:" + System.getProperty("kafka.version"));
    Map<String, String> env = Repo.strings(kafka.get("environment"));
    assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
    assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("//kafka:9092");
    assertThat(kafka.path("healthcheck").path("test").toString())
        .contains("kafka-broker-api-versions.sh");
  }

  @Test
  void everyPostbusServiceIsBuiltFromTheDockerfileAndSetsOnlyRealKeysWithValidValues() {
    for (String name : postbusServices()) {
      JsonNode s = service(name);
      assertThat(s.path("build").path("dockerfile").asText())
          .as(name)
          .isEqualTo("deploy/Dockerfile");
      assertThat(
              Repo.root()
                  .resolve(s.path("build").path("context").asText())
                  .resolve("deploy/Dockerfile"))
          .isRegularFile();
      Map<String, String> env = Repo.strings(s.get("environment"));
      Repo.assertKnownVariables("docker-compose.yml service " + name, env);
      assertThat(env.get(KafkaKeys.BOOTSTRAP_SERVERS.env())).as(name).isEqualTo("kafka:9092");
      Repo.workerConfig(env); // throws, naming the key, on a bad value
    }
  }

  @Test
  void workerDeliversToMailpitAndScalesWithoutPortClashes() {
    JsonNode worker = service("worker");
    WorkerConfig config = Repo.workerConfig(Repo.strings(worker.get("environment")));
    assertThat(config.relays().get(0).smtp().host()).isEqualTo("mailpit");
    assertThat(config.relays().get(0).smtp().port()).isEqualTo(1025);
    assertThat(service("mailpit").get("image").asText()).startsWith("axllent/mailpit:");
    assertThat(service("mailpit").get("ports").toString()).contains("8025:8025");

    assertThat(worker.has("ports"))
        .as("worker publishes no host port, so --scale worker=3 works")
        .isFalse();
    assertThat(worker.has("container_name"))
        .as("a fixed container name prevents scaling")
        .isFalse();
    assertThat(worker.get("expose").toString()).contains(Integer.toString(config.httpPort()));
    assertThat(Repo.seconds(worker.get("stop_grace_period").asText()))
        .isGreaterThan(config.drainTimeout());
    assertThat(worker.at("/depends_on/topics/condition").asText())
        .isEqualTo("service_completed_successfully");
    assertThat(config.topics().autoCreate()).as("the topics service creates them once").isFalse();
  }

  @Test
  void topicsServiceCreatesWhatTheWorkerConsumesBeforeAnyWorkerStarts() {
    JsonNode topics = service("topics");
    assertThat(topics.get("command").toString()).isEqualTo("[\"topics\",\"create\"]");
    assertThat(topics.at("/depends_on/kafka/condition").asText()).isEqualTo("service_healthy");
    String workerTopic =
        Repo.workerConfig(Repo.strings(service("worker").get("environment"))).topic();
    assertThat(Repo.workerConfig(Repo.strings(topics.get("environment"))).topic())
        .isEqualTo(workerTopic);
  }

  @Test
  void publisherSendsTheExampleJobsFile() throws Exception {
    JsonNode publisher = service("publisher");
    assertThat(publisher.get("command").toString())
        .contains("send")
        .contains("/examples/jobs.ndjson");
    assertThat(publisher.get("volumes").get(0).asText())
        .startsWith("./deploy/compose/jobs.ndjson:/examples/jobs.ndjson");
    List<String> lines = Files.readAllLines(Repo.file("deploy/compose/jobs.ndjson"));
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      new JobCodec()
          .read(
              line.getBytes(StandardCharsets.UTF_8)); // throws InvalidJobException naming the field
    }
  }

  @Test
  void monitoringProfileMountsFilesThatExistAndScrapesTheWorkersPort() {
    for (String name : List.of("prometheus", "grafana")) {
      JsonNode s = service(name);
      assertThat(s.get("profiles").toString()).as(name).isEqualTo("[\"monitoring\"]");
      for (JsonNode volume : s.get("volumes")) {
        String host = volume.asText().split(":")[0];
        assertThat(Repo.root().resolve(host)).as("%s mounts %s", name, host).exists();
      }
    }
    JsonNode prometheus = Repo.yaml("deploy/prometheus/prometheus.yml");
    JsonNode sd = prometheus.at("/scrape_configs/0/dns_sd_configs/0");
    assertThat(sd.get("names").toString()).isEqualTo("[\"worker\"]");
    int port = Repo.workerConfig(Repo.strings(service("worker").get("environment"))).httpPort();
    assertThat(sd.get("port").asInt()).isEqualTo(port);
    assertThat(prometheus.at("/rule_files/0").asText()).isEqualTo("/etc/prometheus/alerts.yml");
    assertThat(service("prometheus").get("volumes").toString())
        .contains("alerts.yml:/etc/prometheus/alerts.yml");
  }

  @Test
  void grafanaProvisionsThePrometheusDatasourceAndTheDashboard() {
    JsonNode ds =
        Repo.yaml("deploy/grafana/provisioning/datasources/prometheus.yml").at("/datasources/0");
    assertThat(ds.get("url").asText()).isEqualTo("http://prometheus:9090");
    JsonNode provider =
        Repo.yaml("deploy/grafana/provisioning/dashboards/postbus.yml").at("/providers/0");
    assertThat(provider.at("/options/path").asText()).isEqualTo("/var/lib/grafana/dashboards");
    assertThat(service("grafana").get("volumes").toString())
        .contains("./deploy/grafana/dashboards:/var/lib/grafana/dashboards");
    Path dashboard = Repo.file("deploy/grafana/dashboards/postbus.json");
    assertThat(dashboard).isRegularFile();
  }
}
