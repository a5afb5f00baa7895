package dev.postbus.feedback.verify;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to {@code limit} bytes: once it holds more, the rest is not
 * read (the subscription is cancelled) and the body is the first {@code limit + 1} bytes, so a
 * caller tells a body too large by its length. Read by the client's own threads: a caller bounds
 * its wait with a timeout on {@link #getBody()}, and no thread of its own blocks on a stalled
 * server.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

  private final int limit;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  BoundedBody(int limit) {
    this.limit = limit;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer b : buffers) {
      int n = Math.min(b.remaining(), limit + 1 - bytes.size());
      byte[] chunk = new byte[n];
      b.get(chunk);
      bytes.write(chunk, 0, n);
      if (bytes.size() > limit) {
        subscription.cancel();
        body.complete(bytes.toByteArray());
        return;
      }
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable t) {
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    body.complete(bytes.toByteArray());
  }
}
