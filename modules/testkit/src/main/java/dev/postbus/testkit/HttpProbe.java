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
    return totals(scrape).getOrDefault(name, 0.0);
  }

  /** The sum of each metric's finite samples in a scrape, by name (labels summed over). */
  public static java.util.Map<String, Double> totals(String scrape) {
    java.util.Map<String, Double> sums = new java.util.HashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
      String text = line.substring(line.lastIndexOf(' ') + 1);
      double value =
          text.equals("+Inf")
              ? Double.POSITIVE_INFINITY
              : text.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(text);
      if (Double.isFinite(value)) {
        sums.merge(line.substring(0, end), value, Double::sum);
      }
    }
    return sums;
  }
}
