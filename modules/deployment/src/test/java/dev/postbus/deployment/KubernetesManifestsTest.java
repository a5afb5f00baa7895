package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postbus.worker.config.SmtpKeys;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.config.WorkerKeys;
import dev.postbus.worker.ops.OpsServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s/base, read into the typed Kubernetes models (fabric8) and checked against the code:
 * probe paths and ports, the drain time, the configuration keys, and KEDA's view of the consumer
 * group.
 */
class KubernetesManifestsTest {

  private static final String BASE = "deploy/k8s/base/";

  private final Deployment deployment = Repo.yaml(BASE + "deployment.yaml", Deployment.class);
  private final ConfigMap configMap = Repo.yaml(BASE + "configmap.yaml", ConfigMap.class);
  private final Secret secret = Repo.yaml(BASE + "secret.yaml", Secret.class);
  private final Container worker =
      deployment.getSpec().getTemplate().getSpec().getContainers().get(0);

  @TempDir Path tmp;

  /**
   * The worker container's environment as the pod sees it: the ConfigMap, then env entries
   * resolved.
   */
  private Map<String, String> podEnvironment() {
    Map<String, String> env = new java.util.LinkedHashMap<>(configMap.getData());
    for (EnvVar e : worker.getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        var ref = e.getValueFrom().getSecretKeyRef();
        assertThat(ref.getName()).isEqualTo(secret.getMetadata().getName());
        assertThat(secret.getStringData())
            .as("secret key %s", ref.getKey())
            .containsKey(ref.getKey());
        env.put(e.getName(), secret.getStringData().get(ref.getKey()));
      } else {
        assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        env.put(e.getName(), "postbus-worker-7d9c5b6f4-x2x7q");
      }
    }
    return env;
  }

  private WorkerConfig config() throws Exception {
    Path password = Files.writeString(tmp.resolve("smtp-password"), "not-the-real-one\n");
    return Repo.workerConfig(Repo.withPasswordFile(podEnvironment(), password));
  }

  @Test
  void kustomizationListsEveryManifestAndEachHasTheKindItsNameSays() {
    JsonNode kustomization = Repo.yaml(BASE + "kustomization.yaml");
    List<String> resources = new ArrayList<>();
    kustomization.get("resources").forEach(r -> resources.add(r.asText()));
    assertThat(resources)
        .containsExactlyInAnyOrder(
            "configmap.yaml",
            "secret.yaml",
            "deployment.yaml",
            "pdb.yaml",
            "service.yaml",
            "scaledobject.yaml");
    resources.forEach(r -> Repo.file(BASE + r));
    assertThat(deployment.getKind()).isEqualTo("Deployment");
    assertThat(configMap.getKind()).isEqualTo("ConfigMap");
    assertThat(secret.getKind()).isEqualTo("Secret");
    assertThat(kustomization.at("/images/0/name").asText()).isEqualTo(worker.getImage());
  }

  @Test
  void configMapSetsOnlyRealKeysWithValidValues() throws Exception {
    Repo.assertKnownVariables("configmap.yaml and deployment.yaml env", podEnvironment());
    WorkerConfig config = config();
    assertThat(config.relays().get(0).smtp().authenticated()).isTrue();
    assertThat(config.workerId()).startsWith("postbus-worker-");
    assertThat(config.topics().autoCreate()).isFalse();
    assertThat(worker.getEnvFrom().get(0).getConfigMapRef().getName())
        .isEqualTo(configMap.getMetadata().getName());
  }

  @Test
  void probesUseTheWorkersHealthEndpointsOnItsPort() throws Exception {
    int port = config().httpPort();
    assertThat(port).isEqualTo(WorkerKeys.HTTP_PORT.defaultValue());
    ContainerPort http =
        worker.getPorts().stream()
            .filter(p -> "http".equals(p.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(http.getContainerPort()).isEqualTo(port);

    assertProbe(worker.getLivenessProbe(), OpsServer.LIVE_PATH, http);
    assertProbe(worker.getReadinessProbe(), OpsServer.READY_PATH, http);
    assertProbe(worker.getStartupProbe(), OpsServer.LIVE_PATH, http);

    Map<String, String> annotations =
        deployment.getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations)
        .containsEntry("prometheus.io/port", Integer.toString(port))
        .containsEntry("prometheus.io/path", OpsServer.METRICS_PATH);
  }

  private static void assertProbe(Probe probe, String path, ContainerPort port) {
    assertThat(probe).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get.getPath()).isEqualTo(path);
    Object target =
        get.getPort().getStrVal() != null ? get.getPort().getStrVal() : get.getPort().getIntVal();
    assertThat(target).isIn(port.getName(), port.getContainerPort());
  }

  @Test
  void podWaitsLongerThanTheDrainAndThePreStopHookDrains() throws Exception {
    Duration drain = config().drainTimeout();
    long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertThat(Duration.ofSeconds(grace)).isGreaterThan(drain);
    List<String> preStop = worker.getLifecycle().getPreStop().getExec().getCommand();
    assertThat(String.join(" ", preStop)).contains("kill -TERM 1").contains("while kill -0 1");
  }

  @Test
  void adminTokenIsMountedWhereTheTokenFileSettingPoints() {
    String tokenFile = configMap.getData().get(WorkerKeys.HTTP_ADMIN_TOKEN_FILE.env());
    assertThat(tokenFile).as(WorkerKeys.HTTP_ADMIN_TOKEN_FILE.env()).isNotNull();
    Volume volume =
        deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .findFirst()
            .orElseThrow();
    String mountPath =
        worker.getVolumeMounts().stream()
            .filter(m -> m.getName().equals(volume.getName()))
            .findFirst()
            .orElseThrow()
            .getMountPath();
    var item =
        volume.getSecret().getItems().stream()
            .filter(i -> tokenFile.equals(mountPath + "/" + i.getPath()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(tokenFile + " is not a mounted secret item"));
    assertThat(secret.getStringData()).containsKey(item.getKey());
  }

  @Test
  void secretIsMountedWhereThePasswordFileSettingPointsAndRunsAsNonRoot() {
    String passwordFile = configMap.getData().get(SmtpKeys.PASSWORD_FILE.env());
    Volume volume =
        deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .findFirst()
            .orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo(secret.getMetadata().getName());
    VolumeMount mount =
        worker.getVolumeMounts().stream()
            .filter(m -> m.getName().equals(volume.getName()))
            .findFirst()
            .orElseThrow();
    String path = volume.getSecret().getItems().get(0).getPath();
    assertThat(passwordFile).isEqualTo(mount.getMountPath() + "/" + path);
    assertThat(secret.getStringData()).containsKey(volume.getSecret().getItems().get(0).getKey());
    worker.getEnv().stream()
        .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
        .forEach(
            e ->
                assertThat(secret.getStringData())
                    .containsKey(e.getValueFrom().getSecretKeyRef().getKey()));

    var pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(pod.getRunAsNonRoot()).isTrue();
    assertThat(pod.getRunAsUser()).isEqualTo(10001L); // the user the Dockerfile creates
    assertThat(Repo.text("deploy/Dockerfile")).contains("USER 10001:10001");
  }

  @Test
  void selectorsOfTheDeploymentServiceAndBudgetMatchThePods() {
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

    PodDisruptionBudget pdb = Repo.yaml(BASE + "pdb.yaml", PodDisruptionBudget.class);
    assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

    Service service = Repo.yaml(BASE + "service.yaml", Service.class);
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void kedaScalesThisDeploymentOnTheWorkersConsumerGroupUpToThePartitionCount() throws Exception {
    GenericKubernetesResource scaled =
        Repo.yaml(BASE + "scaledobject.yaml", GenericKubernetesResource.class);
    assertThat(scaled.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
    assertThat(scaled.getKind()).isEqualTo("ScaledObject");
    JsonNode spec = Repo.YAML.valueToTree(scaled.getAdditionalProperties().get("spec"));
    assertThat(spec.at("/scaleTargetRef/name").asText())
        .isEqualTo(deployment.getMetadata().getName());

    WorkerConfig config = config();
    assertThat(spec.get("maxReplicaCount").asInt())
        .as("more workers than partitions sit idle")
        .isEqualTo(config.topics().partitions());
    JsonNode trigger = spec.at("/triggers/0");
    assertThat(trigger.get("type").asText()).isEqualTo("kafka");
    assertThat(trigger.at("/metadata/consumerGroup").asText()).isEqualTo(config.group());
    assertThat(trigger.at("/metadata/topic").asText()).isEqualTo(config.topic());
    assertThat(trigger.at("/metadata/bootstrapServers").asText())
        .isEqualTo(config.bootstrapServers());
    assertThat(trigger.at("/metadata/lagThreshold").asInt()).isPositive();
    JsonNode bulk = spec.at("/triggers/1");
    assertThat(bulk.at("/metadata/topic").asText())
        .as("the bulk jobs count too")
        .isEqualTo(config.bulkTopic());
    assertThat(bulk.at("/metadata/consumerGroup").asText()).isEqualTo(config.group());
  }
}
