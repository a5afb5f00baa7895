package dev.postbus.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;

/** The pages' templates, compiled at build time (src/main/jte); HTML output is auto-escaped. */
final class Templates {

  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

  void render(Context ctx, String template, Object model) {
    StringOutput out = new StringOutput();
    engine.render(template, model, out);
    ctx.html(out.toString());
  }
}
