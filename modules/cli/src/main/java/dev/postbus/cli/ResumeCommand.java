package dev.postbus.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Let workers deliver again after the bounce-rate guard paused them.",
      "Asks each worker's HTTP port (http.port, 9464) with POST /admin/resume, sending the token of",
      "the workers' http.admin-token-file. A worker the guard did not pause answers that it was not",
      "paused. A restart resumes a worker too.",
      "Exit code 1 when a worker could not be reached or refused the token."
    })
final class ResumeCommand implements Callable<Integer> {

  @Option(
      names = {"-w", "--worker"},
      paramLabel = "URL",
      description =
          "A worker's HTTP address, repeated for each worker of the group (default http://127.0.0.1:9464).")
  List<String> workers = new ArrayList<>(List.of("http://127.0.0.1:9464"));

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      defaultValue = "${env:POSTBUS_HTTP_ADMIN_TOKEN_FILE}",
      description =
          "The file holding the workers' admin token, the one their http.admin-token-file names"
              + " (default: $POSTBUS_HTTP_ADMIN_TOKEN_FILE, as the worker reads it).")
  Path tokenFile;

  @Override
  public Integer call() throws Exception {
    if (tokenFile == null) {
      System.err.println(
          "postbus resume: give --admin-token-file FILE (or set POSTBUS_HTTP_ADMIN_TOKEN_FILE): the"
              + " file the workers' http.admin-token-file names");
      return Postbus.EXIT_CONFIG;
    }
    String token;
    try {
      token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } catch (java.io.IOException e) {
      System.err.println(
          "postbus resume: --admin-token-file: cannot read "
              + tokenFile
              + " ("
              + e.getClass().getSimpleName()
              + ")");
      return Postbus.EXIT_CONFIG;
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    int unreachable = 0;
    int refused = 0;
    for (String worker : workers) {
      URI uri;
      try {
        uri = URI.create(worker.replaceAll("/+$", "") + "/admin/resume");
        if (uri.getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--worker must be an http:// address such as http://10.0.0.7:9464; got '"
                + worker
                + "'");
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println(
            worker
                + ": "
                + switch (r.statusCode()) {
                  case 200 -> "resumed";
                  case 409 -> "was not paused by the bounce-rate guard; nothing to do";
                  case 401, 403 -> {
                    refused++;
                    yield "refused the token ("
                        + r.statusCode()
                        + "): is --admin-token-file the file its http.admin-token-file names? "
                        + r.body().strip();
                  }
                  case 503 -> "not resumed, Kafka did not take the resume: " + r.body().strip();
                  default -> "answered " + r.statusCode() + " " + r.body().strip();
                });
        if (r.statusCode() != 200 && r.statusCode() != 409) {
          unreachable++; // not resumed: the exit status says so
        }
      } catch (java.io.IOException e) {
        unreachable++;
        System.out.println(
            worker
                + ": unreachable ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + "); is the worker running, and is this its http.port?");
      }
    }
    return unreachable == 0 && refused == 0 ? 0 : 1;
  }
}
