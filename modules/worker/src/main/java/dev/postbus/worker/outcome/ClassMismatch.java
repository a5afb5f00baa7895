package dev.postbus.worker.outcome;

import dev.postbus.job.Job;
import dev.postbus.job.JobClass;
import dev.postbus.worker.dispatch.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job whose {@code class} field and topic disagree: the topic decides how it is scheduled (and
 * its retries keep that class); the disagreement is counted and logged once per job, when it is
 * read from the topic it was published to (not again from a retry tier).
 */
final class ClassMismatch {

  private static final Logger log = LoggerFactory.getLogger(ClassMismatch.class);

  private ClassMismatch() {}

  /** True (and counted, logged) when {@code job} says another class than its topic's. */
  static boolean check(Delivery d, Job job, String jobsTopic, OutcomeListener stats) {
    if (job == null || job.jobClass() == d.jobClass()) {
      return false;
    }
    String topic = d.partition().topic();
    if (!topic.equals(jobsTopic) && !topic.equals(JobClass.BULK.topic(jobsTopic))) {
      return false; // on a retry tier: told when it was first read
    }
    stats.classMismatch();
    log.warn(
        "job {} says class {} but was published to {}: scheduled as {} (the topic decides)",
        job.id(),
        job.jobClass(),
        topic,
        d.jobClass());
    return true;
  }
}
