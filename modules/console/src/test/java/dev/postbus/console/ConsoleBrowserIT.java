package dev.postbus.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.postbus.client.JobPublisher;
import dev.postbus.client.PublisherConfig;
import dev.postbus.embedded.EmbeddedKafka;
import dev.postbus.embedded.Faults;
import dev.postbus.embedded.SmtpCapture;
import dev.postbus.job.Job;
import dev.postbus.job.PostbusHeaders;
import dev.postbus.testkit.MinimalWorker;
import dev.postbus.testkit.SharedKafka;
import dev.postbus.testkit.TopicReader;
import dev.postbus.worker.config.Settings;
import dev.postbus.worker.config.WorkerConfig;
import dev.postbus.worker.lifecycle.Worker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium (Debian's chromium and chromium-driver, installed by
 * .ci/run), over a real broker, a real worker and an SMTP server that refuses some recipients:
 * filter the dead letters by code, preview and replay them, see them delivered in the job lookup;
 * and everything a stranger wrote (a subject, a relay's reply, a job id) shows as text, with no
 * script run. A screenshot of each page goes to target/console-screenshots.
 */
@ExtendWith(SharedKafka.class)
class ConsoleBrowserIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target", "console-screenshots");

  /** Markup a stranger could put in a subject, a reply or a key; each would set window.__pwned. */
  private static final String SCRIPT = "<script>window.__pwned='script'</script>";

  private static final String IMG = "\"><img src=x onerror=\"window.__pwned='img'\">";
  private static final String LINK = "javascript:window.__pwned='link'";

  private static CompletableFuture<WebDriver> starting;
  private static WebDriver browser;

  @BeforeAll
  static void browser() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "skipped: no headless Chromium here ("
            + CHROMIUM
            + ", "
            + DRIVER
            + "); .ci/run installs Debian's chromium and chromium-driver when it runs as root");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    Files.createDirectories(SHOTS);
    // the browser starts while the test sets up Kafka, the worker and its dead letters
    starting =
        CompletableFuture.supplyAsync(
            () -> {
              WebDriver started = new ChromeDriver(service, options);
              started.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
              return started;
            });
  }

  @AfterAll
  static void quit() {
    if (starting != null) {
      starting.thenAccept(WebDriver::quit).join();
    }
  }

  @Test
  void findFilterReplayAndLookUpFailedMailAndRunNoStrangersScript(EmbeddedKafka kafka)
      throws Exception {
    AtomicBoolean refusing = new AtomicBoolean(true);
    try (SmtpCapture relay = SmtpCapture.start(0)) {
      relay.faults(
          new Faults() {
            @Override
            public Reply recipient(String address) {
              return refusing.get() && address.startsWith("unknown-")
                  ? new Reply(550, "5.1.1 " + SCRIPT + " " + IMG + " " + LINK)
                  : null;
            }
          });
      Map<String, String> s =
          MinimalWorker.settings(kafka.bootstrapServers(), relay.port(), "console");
      s.put(
          "suppression.codes", "none"); // replay alone here; the suppressions page has its own part
      String topic = s.get("topic");
      try (Worker worker = Worker.start(WorkerConfig.from(Settings.of(s)));
          ConsoleServer console =
              ConsoleServer.start(
                  ConsoleConfig.builder(
                          Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                      .eventsTopic(s.get("events.topic"))
                      .group(s.get("group"))
                      .port(0)
                      .build())) {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          jobs.add(
              Job.text("ok-" + i, "shop@example.com", "user-" + i + "@example.net", "Hi", "x"));
        }
        for (int i = 0; i < 3; i++) {
          jobs.add(
              Job.text(
                  "unknown-" + i, "shop@example.com", "unknown-" + i + "@example.net", "Hi", "x"));
        }
        jobs.add(
            Job.text(
                "unknown-hostile",
                "shop@example.com",
                "unknown-h@example.net",
                SCRIPT,
                IMG + LINK));
        publish(kafka, topic, jobs);
        try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
          producer
              .send(
                  new ProducerRecord<>(
                      topic,
                      SCRIPT.getBytes(StandardCharsets.UTF_8),
                      ("{\"subject\":\"" + IMG.replace("\"", "\\\"") + "\"}")
                          .getBytes(StandardCharsets.UTF_8)))
              .get();
        }
        TopicReader.read(kafka.bootstrapServers(), topic + ".dlt", 5, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.received() == 6);
        assertThat(worker.stats().snapshot().deadLettered()).isEqualTo(5);
        browser = starting.join();
        String url = console.url();

        // The dead letters: five, one of them a poison record whose key is a script.
        open(url + "/dead-letters");
        assertThat(rows()).hasSize(5);
        assertThat(browser.findElement(By.cssSelector("table.rows")).getText()).contains(SCRIPT);
        noScriptRan();
        shot("dead-letters");

        // Filter by code, as an operator would type it.
        browser.findElement(By.id("f-code")).sendKeys("5.1.1");
        navigate(By.id("apply"));
        assertThat(rows()).hasSize(4);
        assertThat(browser.findElement(By.id("count")).getText()).startsWith("4 of 5");
        shot("dead-letters-5.1.1");

        // One in full: the relay's reply and the payload are text, not markup.
        open(url + "/dead-letters?id=unknown-hostile");
        navigate(By.cssSelector("tr.dl td a"));
        assertThat(browser.findElement(By.id("reply")).getText())
            .contains(SCRIPT)
            .contains(IMG)
            .contains(LINK);
        assertThat(browser.findElement(By.id("payload")).getText())
            .contains(SCRIPT)
            .contains("<img src=x onerror="); // the payload is JSON: its quotes are escaped
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        noScriptRan();
        shot("dead-letter");

        // "Replay the selected…" with nothing ticked: refused, nothing republished.
        open(url + "/dead-letters");
        navigate(By.id("replay-selected"));
        assertThat(browser.findElement(By.id("error")).getText())
            .startsWith("select: choose at least one dead letter");
        shot("replay-blank-selection");

        // Replay the filter: a preview first, then the confirmation (double-clicked), then the
        // result: each dead letter republished once.
        refusing.set(false); // the cause is fixed
        open(url + "/dead-letters?code=5.1.1");
        navigate(By.id("replay-filter"));
        assertThat(browser.findElement(By.id("preview")).getText())
            .isEqualTo("4 of 5 would be republished.");
        shot("replay-preview");
        WebElement preview = browser.findElement(By.tagName("html"));
        new Actions(browser).doubleClick(browser.findElement(By.id("confirm"))).perform();
        left(preview, 60);
        new WebDriverWait(browser, Duration.ofSeconds(60))
            .until(
                d ->
                    !d.findElements(By.id("result")).isEmpty()
                        || !d.findElements(By.id("error")).isEmpty());
        shot("replay-double-clicked");
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.received() == 10);
        assertThat(
                // 10 jobs, the poison record and the 4 replays, all consumed: read to the end
                TopicReader.read(kafka.bootstrapServers(), topic, 15, Duration.ofSeconds(30))
                    .stream()
                    .filter(r -> r.headers().lastHeader(PostbusHeaders.REPLAY_COUNT) != null))
            .as("replays published to the jobs topic after a double-click on Confirm")
            .hasSize(4);

        // The same replay again republishes nothing.
        open(url + "/dead-letters?code=5.1.1");
        navigate(By.id("replay-filter"));
        assertThat(browser.findElement(By.id("preview")).getText()).startsWith("0 of ");
        assertThat(browser.findElements(By.id("confirm"))).isEmpty();

        // The job's story: dead-lettered, then delivered after the replay.
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  open(url + "/jobs?id=unknown-hostile");
                  return browser.findElements(By.cssSelector("tr.event td.type")).stream()
                      .map(WebElement::getText)
                      .toList()
                      .containsAll(List.of("dead-lettered", "delivered"));
                });
        assertThat(browser.findElement(By.id("events")).getText()).contains("550");
        noScriptRan();
        shot("job");

        // The overview: the chart (uPlot, from the jar), the group's member, the classes.
        open(url + "/overview");
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    "true"
                        .equals(browser.findElement(By.id("chart")).getDomAttribute("data-drawn")));
        assertThat(browser.findElements(By.cssSelector("#chart canvas"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("tr.member"))).hasSize(1);
        assertThat(browser.findElement(By.id("classes")).getText())
            .contains("permanent")
            .contains("poison");
        assertThat(browser.findElement(By.id("last-hour")).getText()).contains("delivered: 10");
        assertThat(browser.findElements(By.cssSelector("tr.job-class th")))
            .extracting(WebElement::getText)
            .containsExactly("transactional", "bulk");
        shot("overview");

        // The suppressions: add, search, refuse a bad address, remove.
        open(url + "/suppressions");
        browser.findElement(By.id("add-address")).sendKeys("Someone@Example.com");
        browser.findElement(By.id("add-reason")).sendKeys(SCRIPT);
        navigate(By.id("add"));
        assertThat(browser.findElement(By.id("notice")).getText()).isEqualTo("suppressed");
        assertThat(browser.findElement(By.id("list")).getText())
            .contains("someone@example.com")
            .contains(SCRIPT);
        noScriptRan();
        shot("suppressions");
        browser.findElement(By.id("add-address")).sendKeys("not-an-address");
        navigate(By.id("add"));
        assertThat(browser.findElement(By.id("error")).getText())
            .isEqualTo(
                "address: not a valid email address (local@domain, ASCII, at most 254 characters)");
        open(url + "/suppressions?q=someone");
        navigate(By.cssSelector("tr.suppressed button.remove"));
        assertThat(browser.findElement(By.id("notice")).getText())
            .startsWith("someone@example.com removed");
        assertThat(browser.findElements(By.cssSelector("tr.suppressed"))).isEmpty();
      }
    }
  }

  /**
   * A record of {@code <topic>.feedback} as {@code postbus feedback} writes it (docs/feedback.md).
   */
  private static String report(
      String type, String bounceClass, String recipient, String jobId, String raw) {
    com.fasterxml.jackson.databind.node.ObjectNode n =
        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    n.put("schema", 1);
    n.put("type", type);
    if (bounceClass != null) {
      n.put("bounceClass", bounceClass);
    }
    n.put("recipient", recipient);
    n.put("status", type.equals("bounce") ? "5.1.1" : null);
    n.put("diagnostic", "smtp; 550 5.1.1 " + SCRIPT);
    n.put("jobId", jobId);
    n.put("provider", "ses");
    n.put("providerEventId", java.util.UUID.randomUUID().toString());
    n.put("at", java.time.Instant.now().toString());
    n.put("receivedAt", java.time.Instant.now().toString());
    n.put("raw", raw);
    return n.toString();
  }

  @Test
  void theFeedbackPageShowsBouncesAndComplaintsByDomainWithTheirPayloadAsText(EmbeddedKafka kafka)
      throws Exception {
    String topic = SharedKafka.uniqueName("console-fb");
    String hostileJob = "job-" + IMG;
    try (var admin = kafka.admin()) { // as `postbus feedback` makes it
      admin
          .createTopics(
              List.of(
                  new org.apache.kafka.clients.admin.NewTopic(topic + ".feedback", 2, (short) 1)))
          .all()
          .get();
    }
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      List<String> reports =
          List.of(
              report(
                  "bounce",
                  "permanent",
                  "gone-1@example.net",
                  hostileJob,
                  "{\"notificationType\":\"Bounce\",\"x\":\"" + SCRIPT + IMG + "\"}"),
              report("bounce", "permanent", "gone-2@example.net", "job-2", "{}"),
              report("bounce", "transient", "full@example.org", "job-3", "x".repeat(20_000)),
              report("complaint", null, "angry@example.org", "job-4", "{}"),
              report("delay", null, "slow@example.org", "job-5", "{}"));
      for (String r : reports) {
        producer
            .send(
                new ProducerRecord<>(topic + ".feedback", null, r.getBytes(StandardCharsets.UTF_8)))
            .get();
      }
    }
    try (ConsoleServer console =
        ConsoleServer.start(
            ConsoleConfig.builder(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                .port(0)
                .build())) {
      open(console.url() + "/feedback");
      assertThat(browser.findElement(By.id("by-domain")).getText())
          .contains("example.net bounce (permanent) 2")
          .contains("example.org bounce (transient) 1")
          .contains("example.org complaint 1")
          .doesNotContain("delay");
      assertThat(browser.findElements(By.cssSelector("tr.report"))).hasSize(4);
      assertThat(browser.findElement(By.id("reports")).getText()).contains(SCRIPT);
      // the raw payload: shown as text, and bounded
      List<String> raws =
          browser.findElements(By.cssSelector("pre.raw")).stream()
              .map(e -> e.getDomProperty("textContent"))
              .toList();
      assertThat(raws).anyMatch(r -> r.contains(SCRIPT) && r.contains(IMG));
      assertThat(raws)
          .anyMatch(r -> r.startsWith("xxxx") && r.endsWith("(cut at 4096 characters)"))
          .allMatch(r -> r.length() < 4200);
      assertThat(browser.findElements(By.tagName("img"))).isEmpty();
      assertThat(browser.findElements(By.tagName("script")))
          .allMatch(e -> e.getDomAttribute("src") != null);
      noScriptRan();
      shot("feedback");

      // filtered by domain and type
      open(console.url() + "/feedback?domain=example.org&type=complaint");
      assertThat(browser.findElements(By.cssSelector("tr.report"))).hasSize(1);

      // each links to its job's story, the hostile job id carried as text
      open(console.url() + "/feedback?domain=example.net");
      WebElement link =
          browser.findElements(By.cssSelector("tr.report a.job")).stream()
              .filter(a -> a.getText().equals(hostileJob))
              .findFirst()
              .orElseThrow();
      navigate(By.linkText(link.getText()));
      String at = browser.getCurrentUrl();
      assertThat(at).contains("/jobs?id=");
      assertThat(
              java.net.URLDecoder.decode(
                  at.substring(at.indexOf("id=") + 3), StandardCharsets.UTF_8))
          .isEqualTo(hostileJob);
      noScriptRan();
    }
  }

  /**
   * Clicks what submits a form or follows a link, and waits until the next page has replaced it.
   */
  private static void navigate(By what) {
    WebElement page = browser.findElement(By.tagName("html"));
    browser.findElement(what).click();
    left(page, 30);
  }

  private static void open(String url) {
    if (browser == null) { // whichever test runs first waits for the browser started in @BeforeAll
      browser = starting.join();
    }
    browser.get(url);
  }

  private static List<WebElement> rows() {
    return browser.findElements(By.cssSelector("tr.dl"));
  }

  /** None of the strangers' markup ran: it would have set window.__pwned. */
  private static void noScriptRan() {
    Object pwned = ((JavascriptExecutor) browser).executeScript("return window.__pwned || null;");
    assertThat(pwned).as("a stranger's script ran").isNull();
  }

  private static void shot(String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(
        f.toPath(),
        SHOTS.resolve(name + ".png"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void publish(EmbeddedKafka kafka, String topic, List<Job> jobs) {
    try (JobPublisher p =
        JobPublisher.create(PublisherConfig.of(kafka.bootstrapServers(), topic))) {
      List<CompletableFuture<?>> sent = new ArrayList<>();
      jobs.forEach(j -> sent.add(p.publish(j)));
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    }
  }

  /**
   * Waits until {@code page} is gone. While the next page loads, chromedriver may answer "Node with
   * given id does not belong to the document" rather than "stale": asked again, it says stale.
   */
  private static void left(WebElement page, int seconds) {
    new WebDriverWait(browser, Duration.ofSeconds(seconds))
        .ignoring(WebDriverException.class)
        .until(ExpectedConditions.stalenessOf(page));
  }
}
