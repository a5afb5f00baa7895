package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.testkit.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The console is a door: loopback unless given a password, CSRF on every change, a strict CSP. */
@ExtendWith(SharedKafka.class)
class ConsoleSecurityIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ConsoleConfig.Builder config(EmbeddedKafka kafka) throws Exception {
    String topic = SharedKafka.uniqueName("sec");
    try (var admin = kafka.admin()) { // as `postbus topics create` makes it
      admin
          .createTopics(
              java.util.List.of(
                  new org.apache.kafka.clients.admin.NewTopic(
                          dev.postbus.suppression.SuppressionTopic.of(topic), 1, (short) 1)
                      .configs(dev.postbus.suppression.SuppressionTopic.config())))
          .all()
          .get();
    }
    return ConsoleConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
        .port(0);
  }

  @Test
  void listeningBeyondLoopbackNeedsAPasswordFile(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    assertThatThrownBy(() -> config(kafka).host("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "console.password-file: required when the console listens on 0.0.0.0");
    Path weak = Files.writeString(dir.resolve("weak"), "short\n");
    assertThatThrownBy(() -> config(kafka).host("0.0.0.0").passwordFile(weak).build())
        .hasMessageContaining("fewer than 12 characters");

    Path file = Files.writeString(dir.resolve("password"), "correct horse battery\n");
    try (ConsoleServer console =
        ConsoleServer.start(config(kafka).host("127.0.0.1").passwordFile(file).build())) {
      String url = console.url() + "/suppressions";
      HttpResponse<String> none = get(url, null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
      assertThat(get(url, "wrong password").statusCode()).isEqualTo(401);
      assertThat(get(url, "correct horse battery").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void changesNeedAPostWithTheCsrfTokenAndPagesCarryAStrictPolicy(EmbeddedKafka kafka)
      throws Exception {
    try (ConsoleServer console = ConsoleServer.start(config(kafka).build())) {
      HttpResponse<String> page = get(console.url() + "/suppressions", null);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Security-Policy"))
          .hasValue(Guard.CSP)
          .hasValueSatisfying(
              v -> assertThat(v).contains("script-src 'self'").doesNotContain("unsafe"));
      assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
      String cookie =
          page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0]; // postbus_csrf=...
      assertThat(cookie).startsWith(Guard.CSRF_COOKIE + "=");
      assertThat(page.headers().firstValue("Set-Cookie").orElseThrow())
          .contains("HttpOnly")
          .contains("SameSite=Strict");
      String token = cookie.substring(cookie.indexOf('=') + 1);

      // no token, a wrong token, a token without its cookie: refused, nothing written
      assertThat(
              post(console.url() + "/suppressions/add", cookie, "address=a%40example.com")
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              post(console.url() + "/suppressions/add", cookie, "address=a%40example.com&csrf=x")
                  .statusCode())
          .isEqualTo(403);
      assertThat(
              post(
                      console.url() + "/suppressions/add",
                      null,
                      "address=a%40example.com&csrf=" + token)
                  .statusCode())
          .isEqualTo(403);
      // GET never changes anything: there is no GET route for a change
      assertThat(
              get(console.url() + "/suppressions/add?address=a%40example.com", null).statusCode())
          .isIn(404, 405);
      assertThat(get(console.url() + "/dead-letters/replay", null).statusCode()).isIn(404, 405);
      // with the token and its cookie: done
      HttpResponse<String> added =
          post(
              console.url() + "/suppressions/add",
              cookie,
              "address=a%40example.com&reason=test&csrf=" + token);
      assertThat(added.statusCode()).isEqualTo(302);
      assertThat(added.headers().firstValue("Location"))
          .hasValueSatisfying(l -> assertThat(l).startsWith("/suppressions?q=a%40example.com"));
    }
  }

  @Test
  void aForeignHostNameIsRefusedWithoutAPassword(EmbeddedKafka kafka) throws Exception {
    try (ConsoleServer console = ConsoleServer.start(config(kafka).build())) {
      String path = "/suppressions";
      // a hostile page whose name was rebound to 127.0.0.1 sends its own name as Host
      HttpResponse<String> rebound =
          raw(console.port(), "GET", path, "rebind.example", null, null, "");
      assertThat(rebound.statusCode()).isEqualTo(403);
      assertThat(rebound.body()).contains("Host").doesNotContain("<table");
      for (String host : new String[] {"127.0.0.1", "localhost", "[::1]"}) {
        assertThat(
                raw(console.port(), "GET", path, host + ":" + console.port(), null, null, "")
                    .statusCode())
            .as(host)
            .isEqualTo(200);
      }
    }
  }

  @Test
  void behindAProxyItsPublicNameCanBeAllowed(EmbeddedKafka kafka) throws Exception {
    try (ConsoleServer console =
        ConsoleServer.start(
            config(kafka).hostNames(java.util.List.of("console.example.com")).build())) {
      assertThat(
              raw(console.port(), "GET", "/suppressions", "console.example.com", null, null, "")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              raw(console.port(), "GET", "/suppressions", "rebind.example", null, null, "")
                  .statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  void aPostFromAnotherOriginIsRefused(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (ConsoleServer console = ConsoleServer.start(config(kafka).build())) {
      HttpResponse<String> page = get(console.url() + "/suppressions", null);
      String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      String form =
          "address=a%40example.com&reason=test&csrf=" + cookie.substring(cookie.indexOf('=') + 1);
      String host = "127.0.0.1:" + console.port();
      HttpResponse<String> foreign =
          raw(
              console.port(),
              "POST",
              "/suppressions/add",
              host,
              "http://evil.example",
              cookie,
              form);
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.body()).contains("Origin");
      HttpResponse<String> crossSite =
          raw(
              console.port(),
              "POST",
              "/suppressions/add",
              host,
              null,
              cookie,
              form,
              "Sec-Fetch-Site: cross-site");
      assertThat(crossSite.statusCode()).isEqualTo(403);
      HttpResponse<String> sandboxed =
          raw(console.port(), "POST", "/suppressions/add", host, "null", cookie, form);
      assertThat(sandboxed.statusCode()).isEqualTo(403);
      assertThat(
              raw(console.port(), "POST", "/suppressions/add", host, "http://" + host, cookie, form)
                  .statusCode())
          .isEqualTo(302);
    }
    Path file = Files.writeString(dir.resolve("password"), "correct horse battery\n");
    try (ConsoleServer console =
        ConsoleServer.start(config(kafka).host("127.0.0.1").passwordFile(file).build())) {
      String basic =
          "Authorization: Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      "operator:correct horse battery".getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> foreign =
          raw(
              console.port(),
              "POST",
              "/suppressions/add",
              "console.example.com",
              "https://evil.example",
              "postbus_csrf=abcdefghijklmnopqrstuvwxyz",
              "address=a%40example.com&csrf=abcdefghijklmnopqrstuvwxyz",
              basic);
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.body()).contains("Origin");
    }
  }

  @Test
  void theWorkersAdminEndpointAsksForItsToken(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    Path tokenFile =
        Files.writeString(dir.resolve("admin-token"), "s3cret-admin-token-0123456789\n");
    try (dev.postbus.embedded.SmtpCapture relay = dev.postbus.embedded.SmtpCapture.start(0)) {
      Map<String, String> s =
          dev.postbus.testkit.MinimalWorker.settings(
              kafka.bootstrapServers(), relay.port(), "admin");
      s.put("http.admin-token-file", tokenFile.toString());
      try (dev.postbus.worker.lifecycle.Worker worker =
          dev.postbus.worker.lifecycle.Worker.start(
              dev.postbus.worker.config.WorkerConfig.from(
                  dev.postbus.worker.config.Settings.of(s)))) {
        String resume = "http://127.0.0.1:" + worker.httpPort() + "/admin/resume";
        HttpResponse<String> anonymous = postWith(resume, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("Authorization: Bearer");
        assertThat(postWith(resume, "Bearer not-the-token").statusCode()).isEqualTo(403);
        // with the token the call is processed: the guard is not holding delivery here
        HttpResponse<String> known = postWith(resume, "Bearer s3cret-admin-token-0123456789");
        assertThat(known.statusCode()).isEqualTo(409);
        assertThat(known.body()).contains("not holding");
        // the probes and the metrics stay open
        assertThat(get("http://127.0.0.1:" + worker.httpPort() + "/metrics", null).statusCode())
            .isEqualTo(200);
      }
    }
  }

  private static HttpResponse<String> postWith(String url, String authorization) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCrossSiteGetIsRefusedBeforeAnyKafkaReadButALinkStillOpens(EmbeddedKafka kafka)
      throws Exception {
    try (ConsoleServer console = ConsoleServer.start(config(kafka).build())) {
      String host = "127.0.0.1:" + console.port();
      HttpResponse<String> fetched =
          raw(
              console.port(),
              "GET",
              "/dead-letters",
              host,
              null,
              null,
              "",
              "Sec-Fetch-Site: cross-site",
              "Sec-Fetch-Mode: no-cors");
      assertThat(fetched.statusCode()).isEqualTo(403);
      assertThat(fetched.body()).contains("Sec-Fetch-Site");
      assertThat(console.deadLetterRecordsRead()).isZero();
      HttpResponse<String> link =
          raw(
              console.port(),
              "GET",
              "/suppressions",
              host,
              null,
              null,
              "",
              "Sec-Fetch-Site: cross-site",
              "Sec-Fetch-Mode: navigate",
              "Sec-Fetch-Dest: document");
      assertThat(link.statusCode()).isEqualTo(200);
    }
  }

  /**
   * A hostile page's hidden frame navigates too ({@code Sec-Fetch-Mode: navigate}), into a frame,
   * not the window: refused before any Kafka read, as is a request from another port of this
   * machine ({@code Sec-Fetch-Site: same-site}). Only a link opened in the window gets through.
   */
  @Test
  void aFrameOrAnotherPortsRequestIsRefusedBeforeAnyKafkaReadButALinkStillOpens(EmbeddedKafka kafka)
      throws Exception {
    String topic = ConsoleReplayIT.deadLetters(kafka, "frame");
    try (ConsoleServer console = ConsoleReplayIT.start(kafka, topic)) {
      String host = "127.0.0.1:" + console.port();
      String path = "/dead-letters?class=permanent";
      List<List<String>> refused =
          List.of(
              List.of(
                  "Sec-Fetch-Site: cross-site",
                  "Sec-Fetch-Mode: navigate",
                  "Sec-Fetch-Dest: iframe"),
              List.of(
                  "Sec-Fetch-Site: same-site", "Sec-Fetch-Mode: no-cors", "Sec-Fetch-Dest: image"),
              List.of(
                  "Sec-Fetch-Site: same-site",
                  "Sec-Fetch-Mode: navigate",
                  "Sec-Fetch-Dest: iframe"),
              List.of("Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: navigate"));
      for (List<String> headers : refused) {
        HttpResponse<String> r =
            raw(console.port(), "GET", path, host, null, null, "", headers.toArray(String[]::new));
        assertThat(r.statusCode()).as("%s", headers).isEqualTo(403);
        assertThat(r.body()).contains("Sec-Fetch-Site").doesNotContain("<table");
      }
      assertThat(console.deadLetterRecordsRead()).isZero();

      HttpResponse<String> typed =
          raw(
              console.port(),
              "GET",
              path,
              host,
              null,
              null,
              "",
              "Sec-Fetch-Site: none",
              "Sec-Fetch-Mode: navigate",
              "Sec-Fetch-Dest: document");
      assertThat(typed.statusCode()).isEqualTo(200);
      assertThat(typed.body()).contains("<strong>4</strong> of 5");
      assertThat(console.deadLetterRecordsRead()).isPositive(); // the count above would have seen
    }
  }

  /**
   * A link from another site or port opened in the window ({@code navigate}, {@code document}) is
   * answered with a page that reads no Kafka and links to the same address: a hostile page setting
   * a popup's location every 100 ms gets that page each time, never a read. The operator's click on
   * the link is the console's own navigation ({@code same-origin}), which reads.
   */
  @Test
  void aLinkFromAnotherSiteOrPortOpensAPageThatReadsNoKafkaUntilTheOperatorFollowsIt(
      EmbeddedKafka kafka) throws Exception {
    String topic = ConsoleReplayIT.deadLetters(kafka, "elsewhere");
    try (ConsoleServer console = ConsoleReplayIT.start(kafka, topic)) {
      String host = "127.0.0.1:" + console.port();
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> loads =
          new java.util.ArrayList<>();
      for (int n = 1; n <= 8; n++) { // twice the console's 4 Kafka readers, at once
        String site = n % 2 == 0 ? "cross-site" : "same-site";
        String path = "/dead-letters?class=permanent&page=" + n;
        loads.add(
            java.util.concurrent.CompletableFuture.supplyAsync(
                () ->
                    rawQuietly(
                        console.port(),
                        path,
                        host,
                        "Sec-Fetch-Site: " + site,
                        "Sec-Fetch-Mode: navigate",
                        "Sec-Fetch-Dest: document")));
      }
      for (int n = 1; n <= 8; n++) {
        HttpResponse<String> r = loads.get(n - 1).get();
        assertThat(r.statusCode()).as("page %d", n).isEqualTo(200);
        assertThat(r.body())
            .as("page %d", n)
            .contains("id=\"open-here\"")
            .contains("href=\"/dead-letters?class=permanent&amp;page=" + n + "\"")
            .doesNotContain("<table")
            .doesNotContain(" of 5");
      }
      assertThat(console.deadLetterRecordsRead()).isZero();

      HttpResponse<String> followed =
          raw(
              console.port(),
              "GET",
              "/dead-letters?class=permanent",
              host,
              null,
              null,
              "",
              "Sec-Fetch-Site: same-origin",
              "Sec-Fetch-Mode: navigate",
              "Sec-Fetch-Dest: document",
              "Sec-Fetch-User: ?1");
      assertThat(followed.statusCode()).isEqualTo(200);
      assertThat(followed.body()).contains("<strong>4</strong> of 5");
    }
  }

  /**
   * A page loaded ahead, in case it is opened (speculation rules, a prefetch link, the address
   * bar's prerender), is not read for: {@code Sec-Purpose} or {@code Purpose} naming a prefetch or
   * a prerender gets 503 and no Kafka read, from any site. The browser then loads the page when it
   * is opened.
   */
  @Test
  void aPrefetchOrPrerenderReadsNoKafka(EmbeddedKafka kafka) throws Exception {
    String topic = ConsoleReplayIT.deadLetters(kafka, "prefetch");
    try (ConsoleServer console = ConsoleReplayIT.start(kafka, topic)) {
      String host = "127.0.0.1:" + console.port();
      List<List<String>> ahead =
          List.of(
              List.of("Sec-Purpose: prefetch", "Sec-Fetch-Site: same-site"),
              List.of("Sec-Purpose: prefetch;prerender", "Sec-Fetch-Site: none"),
              List.of("Sec-Purpose: prefetch;anonymous-client-ip", "Sec-Fetch-Site: cross-site"),
              List.of("Sec-Purpose: Prefetch", "Sec-Fetch-Site: same-origin"),
              List.of("Purpose: prefetch"));
      for (List<String> headers : ahead) {
        List<String> all = new java.util.ArrayList<>(headers);
        all.add("Sec-Fetch-Mode: navigate");
        all.add("Sec-Fetch-Dest: document");
        HttpResponse<String> r =
            raw(
                console.port(),
                "GET",
                "/dead-letters?class=permanent",
                host,
                null,
                null,
                "",
                all.toArray(String[]::new));
        assertThat(r.statusCode()).as("%s", headers).isEqualTo(503);
        assertThat(r.body()).as("%s", headers).contains("ahead").doesNotContain("<table");
      }
      assertThat(console.deadLetterRecordsRead()).isZero();
      assertThat(get(console.url() + "/dead-letters?class=permanent", null).body())
          .contains("<strong>4</strong> of 5");
    }
  }

  /**
   * Neither a navigation from elsewhere nor a page loaded ahead replaces the operator's CSRF
   * cookie: a hostile popup sent to the console's pages every 100 ms would otherwise set a new
   * token each time, and the operator's open replay preview would be refused on Confirm.
   */
  @Test
  void aNavigationFromElsewhereOrAPrefetchSetsNoCsrfCookie(EmbeddedKafka kafka) throws Exception {
    String topic = ConsoleReplayIT.deadLetters(kafka, "keepcookie");
    try (ConsoleServer console = ConsoleReplayIT.start(kafka, topic)) {
      String host = "127.0.0.1:" + console.port();
      HttpResponse<String> own =
          raw(
              console.port(),
              "GET",
              "/dead-letters",
              host,
              null,
              null,
              "",
              "Sec-Fetch-Site: same-origin",
              "Sec-Fetch-Mode: navigate",
              "Sec-Fetch-Dest: document");
      assertThat(own.headers().firstValue("Set-Cookie"))
          .hasValueSatisfying(c -> assertThat(c).startsWith(Guard.CSRF_COOKIE + "="));
      List<List<String>> elsewhere =
          List.of(
              List.of(
                  "Sec-Fetch-Site: cross-site",
                  "Sec-Fetch-Mode: navigate",
                  "Sec-Fetch-Dest: document"),
              List.of(
                  "Sec-Fetch-Site: same-site",
                  "Sec-Fetch-Mode: navigate",
                  "Sec-Fetch-Dest: document"),
              List.of(
                  "Sec-Purpose: prefetch",
                  "Sec-Fetch-Site: same-origin",
                  "Sec-Fetch-Mode: navigate",
                  "Sec-Fetch-Dest: document"),
              List.of("Purpose: prefetch"));
      for (List<String> headers : elsewhere) {
        HttpResponse<String> r =
            raw(
                console.port(),
                "GET",
                "/dead-letters",
                host,
                null,
                null,
                "",
                headers.toArray(String[]::new));
        assertThat(r.statusCode()).as("%s", headers).isIn(200, 503);
        assertThat(r.headers().allValues("Set-Cookie")).as("%s", headers).isEmpty();
      }
    }
  }

  private static HttpResponse<String> rawQuietly(
      int port, String path, String host, String... headers) {
    try {
      return raw(port, "GET", path, host, null, null, "", headers);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aMalformedNumberInTheAddressIsRefusedNamingWhatItIs(EmbeddedKafka kafka) throws Exception {
    try (ConsoleServer console = ConsoleServer.start(config(kafka).build())) {
      HttpResponse<String> position = get(console.url() + "/dead-letters/x@1", null);
      assertThat(position.statusCode()).isEqualTo(400);
      assertThat(position.body()).contains("partition@offset").contains("x@1");
      HttpResponse<String> page = get(console.url() + "/dead-letters?page=x", null);
      assertThat(page.statusCode()).isEqualTo(400);
      assertThat(page.body()).contains("page: must be a number");
    }
  }

  /**
   * A request as a browser sends it, with the Host and Origin it chooses (HttpClient would not).
   */
  private static HttpResponse<String> raw(
      int port,
      String method,
      String path,
      String host,
      String origin,
      String cookie,
      String form,
      String... headers)
      throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      byte[] body = form.getBytes(StandardCharsets.UTF_8);
      StringBuilder req =
          new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      if (origin != null) {
        req.append("Origin: ").append(origin).append("\r\n");
      }
      if (cookie != null) {
        req.append("Cookie: ").append(cookie).append("\r\n");
      }
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      if (method.equals("POST")) {
        req.append("Content-Type: application/x-www-form-urlencoded\r\n");
      }
      req.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
      socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(body);
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(answer.split(" ", 3)[1]);
      int end = answer.indexOf("\r\n\r\n");
      Map<String, List<String>> fields = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String line : answer.substring(0, end).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          fields
              .computeIfAbsent(line.substring(0, colon).strip(), k -> new java.util.ArrayList<>())
              .add(line.substring(colon + 1).strip());
        }
      }
      return new RawResponse(status, answer.substring(end + 4), fields);
    }
  }

  private record RawResponse(int statusCode, String body, Map<String, List<String>> fields)
      implements HttpResponse<String> {
    @Override
    public HttpRequest request() {
      return null;
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(fields, (a, b) -> true);
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    @Override
    public URI uri() {
      return null;
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }

  private static HttpResponse<String> get(String url, String password) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (password != null) {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("operator:" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String cookie, String form)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
