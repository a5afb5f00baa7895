package dev.postbus.worker.delivery;

import dev.postbus.smtp.SmtpReply;
import dev.postbus.worker.deadletter.DeadLetter;

/** Where a lane reports how each delivery ended. */
public interface DeliveryResults {

  void delivered(Delivery d, SmtpReply reply);

  void deadLetter(Delivery d, DeadLetter why);
}
