package dev.postbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `bench feedback` runs and reports; it asserts what ran, never how fast. */
class FeedbackLoadIT {

  @Test
  void everyNotificationIsAnswered200AndTheRateIsReported() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    new FeedbackLoad(50, 4, new PrintStream(text, true, StandardCharsets.UTF_8)).run();

    String report = text.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("50 signed SNS notifications", "from 4 clients", "notifications/s")
        .contains("; 0 not answered 200")
        .contains("CPU seconds per 1,000 notifications", "CPU s per 1,000: receiver")
        .contains("records per request to the broker");
    Matcher receiver =
        Pattern.compile("(?m)^ +([0-9.]+) CPU s per 1,000: receiver ").matcher(report);
    assertThat(receiver.find()).as(report).isTrue();
    assertThat(Double.parseDouble(receiver.group(1))).as(report).isGreaterThan(0);
  }
}
