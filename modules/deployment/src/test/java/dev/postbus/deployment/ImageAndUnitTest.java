package dev.postbus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.config.WorkerKeys;
import dev.postbus.worker.ops.OpsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/Dockerfile and the systemd unit, checked against the build and the worker's settings. */
class ImageAndUnitTest {

  @Test
  void dockerfileBuildsInOneStageAndRunsAsNonRootOnJre21WithAHealthCheck() {
    List<String> lines =
        Repo.text("deploy/Dockerfile")
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(from).hasSize(2);
    assertThat(from.get(0)).contains(" AS build");
    assertThat(from.get(1)).startsWith("FROM eclipse-temurin:21-jre");
    List<String> runtime = lines.subList(lines.indexOf(from.get(1)), lines.size());
    assertThat(runtime).contains("USER 10001:10001");
    int port = WorkerKeys.HTTP_PORT.defaultValue();
    assertThat(runtime).contains("EXPOSE " + port);
    String healthcheck =
        String.join(
            " ",
            runtime.subList(
                runtime.indexOf(
                    runtime.stream()
                        .filter(l -> l.startsWith("HEALTHCHECK"))
                        .findFirst()
                        .orElseThrow()),
                runtime.size()));
    assertThat(healthcheck).contains(OpsServer.LIVE_PATH).contains("POSTBUS_HTTP_PORT:-" + port);
    assertThat(runtime)
        .anyMatch(
            l -> l.startsWith("ENTRYPOINT [\"java\"") && l.contains("/opt/postbus/postbus.jar"));
    // What the build stage copies exists, and the jar it takes is the one the cli module builds.
    for (String source : List.of("mvnw", "pom.xml", ".mvn", "modules")) {
      assertThat(Repo.root().resolve(source)).exists();
    }
    assertThat(Repo.text("modules/cli/pom.xml"))
        .contains("<finalName>postbus</finalName>")
        .contains("<classpathPrefix>lib/</classpathPrefix>");
    assertThat(lines).anyMatch(l -> l.contains("/src/modules/cli/target/lib/ lib/"));
  }

  @Test
  void systemdUnitStopsAfterTheDrainAndItsEnvironmentFileIsAValidConfiguration(@TempDir Path tmp)
      throws Exception {
    Map<String, List<String>> unit = new LinkedHashMap<>();
    for (String line : Repo.text("deploy/systemd/postbus.service").lines().toList()) {
      int eq = line.indexOf('=');
      if (!line.startsWith("#") && !line.startsWith("[") && eq > 0) {
        unit.computeIfAbsent(line.substring(0, eq), k -> new java.util.ArrayList<>())
            .add(line.substring(eq + 1));
      }
    }
    assertThat(unit.get("ExecStart").get(0)).endsWith("-jar /opt/postbus/postbus.jar worker");
    assertThat(unit.get("KillSignal")).containsExactly("SIGTERM");
    assertThat(unit.get("RestartPreventExitStatus"))
        .as("a bad configuration exits 2")
        .containsExactly("2");
    assertThat(unit.get("User")).containsExactly("postbus");

    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Repo.file("deploy/systemd/postbus.env"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    for (String assignment : unit.get("Environment")) {
      env.put(
          assignment.substring(0, assignment.indexOf('=')),
          assignment.substring(assignment.indexOf('=') + 1));
    }
    Repo.assertKnownVariables("postbus.service + postbus.env", env);
    Path password = Files.writeString(tmp.resolve("smtp-password"), "secret\n");
    WorkerConfig config = Repo.workerConfig(Repo.withPasswordFile(env, password));
    assertThat(config.relays().get(0).smtp().authenticated()).isTrue();
    assertThat(Repo.seconds(unit.get("TimeoutStopSec").get(0)))
        .isGreaterThan(config.drainTimeout());
  }
}
