package dev.postbus.smtp.internal;

import java.io.IOException;

/**
 * Runs an {@link EnvelopeGroup} on a session's I/O: pipelined when the relay offers PIPELINING,
 * lock-step otherwise. Either way, when the group ends with BDAT, {@code chunk} writes the message
 * right after the BDAT command, and {@code gate} (the ledger gate: it may wait seconds) runs before
 * the BDAT command, outside any {@link SessionIo#writing()} block: never under the write deadline.
 */
interface Exchange {

  /** Writes and flushes the message's chunk after "BDAT n LAST" (and marks the phase). */
  interface Chunk {
    void write() throws IOException;
  }

  void run(EnvelopeGroup group, SessionIo io, Runnable gate, Chunk chunk) throws IOException;

  static Exchange of(boolean pipelining) {
    return pipelining ? PIPELINED : LOCK_STEP;
  }

  /**
   * The whole group in one write, replies read by count. A long group (many recipients) is cut
   * where its bytes reach the socket's send buffer, and the replies so far are read before going
   * on: a relay whose replies we do not read stops reading our commands (RFC 2920 3.1's deadlock).
   */
  Exchange PIPELINED =
      (group, io, gate, chunk) -> {
        if (group.chunked()) {
          gate.run();
        }
        int limit = io.groupLimit();
        int pending = 0;
        try (SessionIo.Writing w = io.writing()) {
          for (int i = 0; i < group.size(); i++) {
            String c = group.command(i);
            if (pending + c.length() > limit && i > group.answered()) {
              io.flush();
              group.readUpTo(i, io);
              pending = 0;
            }
            io.line(c);
            pending += c.length() + 2;
          }
          if (group.chunked()) {
            chunk.write();
          }
          io.flush();
        }
        group.readRest(io, group.chunked());
      };

  /**
   * One command, then its reply. Stops after a refused MAIL, and before DATA (or BDAT) when no
   * recipient was accepted.
   */
  Exchange LOCK_STEP =
      (group, io, gate, chunk) -> {
        for (int i = 0; i < group.size(); i++) {
          if (group.isEnd(i) && group.accepted() == 0) {
            return;
          }
          if (group.isEnd(i) && group.chunked()) {
            gate.run();
          }
          try (SessionIo.Writing w = io.writing()) {
            io.line(group.command(i));
            if (group.isEnd(i) && group.chunked()) {
              chunk.write();
            }
            io.flush();
          }
          group.answer(group.isEnd(i) && group.chunked() ? io.readEnd() : io.read());
          if (group.isMail(i) && !group.mail().positive()) {
            return;
          }
        }
      };
}
