package dev.postbus.feedback.receive;

import dev.postbus.feedback.model.Feedback;
import dev.postbus.feedback.model.Refusal;
import dev.postbus.feedback.write.FeedbackWriter;
import dev.postbus.feedback.write.RepeatFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every endpoint does with the reports of a verified request: drop those whose provider event
 * id was written before, write the rest, wait for Kafka, count.
 */
public final class Intake {

  private final FeedbackWriter writer;
  private final RepeatFilter repeats;
  private final FeedbackMetrics metrics;

  public Intake(FeedbackWriter writer, RepeatFilter repeats, FeedbackMetrics metrics) {
    this.writer = writer;
    this.repeats = repeats;
    this.metrics = metrics;
  }

  public Answer take(String provider, List<Feedback> reports) {
    Map<String, List<Feedback>> byEvent = new LinkedHashMap<>();
    List<Feedback> toWrite = new ArrayList<>();
    for (Feedback f : reports) {
      if (f.providerEventId() == null) {
        toWrite.add(f);
      } else {
        byEvent
            .computeIfAbsent(provider + ":" + f.providerEventId(), k -> new ArrayList<>())
            .add(f);
      }
    }
    List<String> claimed = new ArrayList<>();
    int repeated = 0;
    for (Map.Entry<String, List<Feedback>> e : byEvent.entrySet()) {
      switch (repeats.claim(e.getKey())) {
        case NEW -> {
          claimed.add(e.getKey());
          toWrite.addAll(e.getValue());
        }
        case SEEN -> repeated += e.getValue().size();
        case IN_FLIGHT -> {
          claimed.forEach(repeats::release);
          throw new Refusal(503, "in-flight", "the same event is being written now; retry");
        }
      }
    }
    try {
      writer.write(toWrite);
    } catch (RuntimeException e) {
      claimed.forEach(repeats::release);
      throw e;
    }
    claimed.forEach(repeats::done);
    toWrite.forEach(f -> metrics.accepted(provider, f.type().label()));
    if (repeated > 0) {
      metrics.repeats(provider, repeated);
    }
    return Answer.accepted(toWrite.size(), repeated);
  }
}
