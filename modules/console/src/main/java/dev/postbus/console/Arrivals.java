package dev.postbus.console;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * Pages answered without reading Kafka, after the {@link Guard}: a page loaded ahead in case it is
 * opened (503: the browser loads it when it is opened), and a navigation from another site or
 * another port of this machine (a page that links to the same address: the operator's click on it
 * is the console's own navigation). So, in a browser that sends {@code Sec-Fetch-Site}, another
 * page can start a Kafka read only by the operator's click in the console's own window, never by a
 * popup it keeps sending to the console's pages, a prefetch, or a prerender.
 */
final class Arrivals {

  private final Templates templates;

  Arrivals(Templates templates) {
    this.templates = templates;
  }

  void before(Context ctx) {
    if (ctx.method() == HandlerType.POST) {
      return; // the Guard refuses a POST from elsewhere
    }
    if (Origins.loadedAhead(ctx)) {
      ctx.status(503);
      templates.render(
          ctx,
          "error.jte",
          new Views.Page(
              "Not loaded ahead",
              "",
              Guard.token(ctx),
              null,
              "The console does not load its pages ahead of time (Sec-Purpose: prefetch or"
                  + " prerender): it reads Kafka when a page is opened."));
      ctx.skipRemainingHandlers();
    } else if (Origins.fromElsewhere(ctx)) {
      templates.render(
          ctx,
          "open.jte",
          new Views.OpenView(
              new Views.Page("Open in the console", "", Guard.token(ctx), null, null), here(ctx)));
      ctx.skipRemainingHandlers();
    }
  }

  /**
   * The address asked for, as a path on this console (never another host: {@code //x} is {@code
   * /x}).
   */
  static String here(Context ctx) {
    String path = "/" + ctx.path().replaceFirst("^[/\\\\]+", "");
    String query = ctx.queryString();
    return query == null || query.isEmpty() ? path : path + "?" + query;
  }
}
