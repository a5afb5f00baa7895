package dev.postbus.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A worker's HTTP endpoints (/metrics, /health/*) as a test reads them. */
public final class HttpProbe {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private HttpProbe() {}

  /** GET http://127.0.0.1:{port}{path}. */
  public static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of a metric's samples in a Prometheus scrape (0 when absent). */
  public static double metric(String scrape, String name) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
