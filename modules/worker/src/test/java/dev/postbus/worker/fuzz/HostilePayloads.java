package dev.postbus.worker.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.JobLimits;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generated payloads that are not valid jobs, each labelled with what is wrong: bytes that are not
 * JSON or not UTF-8, wrong types, deep nesting, oversized payloads and attachments, CR/LF/NUL in
 * every field that ends up in a header, invalid addresses, unknown schema versions, broken
 * structure.
 */
public final class HostilePayloads {

  /** Small limits so that "too large" is cheap to generate. */
  public static final JobLimits LIMITS = new JobLimits(64 * 1024, 8 * 1024, 10);

  /** One payload and what was done to it. */
  public record Case(String kind, byte[] payload) {
    @Override
    public String toString() {
      String text = new String(payload, 0, Math.min(payload.length, 160), StandardCharsets.UTF_8);
      return kind + " (" + payload.length + " bytes): " + text;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final List<String> STRING_FIELDS = List.of("id", "subject", "text", "html");
  private static final List<String> ADDRESS_FIELDS = List.of("from", "replyTo");
  private static final List<String> LIST_FIELDS = List.of("to", "cc", "bcc");
  private static final List<String> MAP_FIELDS = List.of("headers", "tags");
  private static final List<String> TIME_FIELDS = List.of("notBefore", "expiresAt");

  /** Where a value ends up in a message header, as a path into the base job. */
  private static final List<String> HEADER_BOUND =
      List.of(
          "/id",
          "/subject",
          "/from",
          "/replyTo",
          "/to/0",
          "/cc/0",
          "/bcc/0",
          "/headers/X-Campaign",
          "/attachments/0/filename",
          "/attachments/0/contentType",
          "/attachments/0/contentId");

  private static final List<String> BAD_ADDRESSES =
      List.of(
          "no-at-sign",
          "a@",
          "@example.com",
          "a b@example.com",
          "<bob@example.net",
          "bob@@example.net",
          "bob@exa mple.net",
          "bøb@example.net",
          "",
          " ",
          "bob@",
          "x".repeat(250) + "@example.com",
          "Bob <>",
          "\"unterminated@example.net");
  private static final List<String> INJECTIONS =
      List.of("\r", "\n", "\r\n", "\u0000", "\r\nBcc: victim@example.org");

  private HostilePayloads() {}

  static ObjectNode base() {
    try {
      return (ObjectNode)
          JSON.readTree(
              """
          {"schema":1,"id":"fz-1","from":"Shop <shop@example.com>","replyTo":"help@example.com",
           "to":["Bob <bob@example.net>"],"cc":["carol@example.net"],"bcc":["audit@example.com"],
           "subject":"Hello","text":"Body","html":"<p>Body</p>","headers":{"X-Campaign":"spring"},
           "attachments":[{"filename":"a.png","contentType":"image/png","contentId":"logo","content":"aGVsbG8="}],
           "tags":{"tenant":"t1"}}""");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every kind of hostile payload, mixed. */
  public static Arbitrary<Case> any() {
    return Arbitraries.oneOf(
        List.of(
            randomBytes(),
            invalidUtf8(),
            wrongType(),
            headerInjection(),
            invalidAddress(),
            unknownSchema(),
            deepNesting(),
            oversized(),
            badAttachment(),
            broken(),
            missingRequired(),
            tooManyRecipients()));
  }

  static Arbitrary<Case> randomBytes() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofMaxSize(2048)
        .map(b -> new Case("random bytes", b));
  }

  static Arbitrary<Case> invalidUtf8() {
    Arbitrary<byte[]> bad =
        Arbitraries.of(
            new byte[] {(byte) 0xC3, 0x28},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xE2, (byte) 0x82},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xC0, (byte) 0xAF});
    return Combinators.combine(bad, Arbitraries.of("subject", "text", "id", "from"))
        .as(
            (b, field) -> {
              byte[] json = bytes(base());
              String marker = "\"" + field + "\":\"";
              int at =
                  new String(json, StandardCharsets.ISO_8859_1).indexOf(marker) + marker.length();
              byte[] out = new byte[json.length + b.length];
              System.arraycopy(json, 0, out, 0, at);
              System.arraycopy(b, 0, out, at, b.length);
              System.arraycopy(json, at, out, at + b.length, json.length - at);
              return new Case("invalid UTF-8 in " + field, out);
            });
  }

  static Arbitrary<Case> wrongType() {
    Arbitrary<JsonNode> notString =
        Arbitraries.of(
            NODES.numberNode(42),
            NODES.booleanNode(true),
            NODES.arrayNode().add("x"),
            NODES.objectNode().put("a", "b"));
    Arbitrary<JsonNode> notList =
        Arbitraries.of(
            NODES.numberNode(42),
            NODES.booleanNode(false),
            NODES.objectNode().put("a", "b@example.com"),
            NODES.arrayNode().add(7),
            NODES.arrayNode().add(NODES.arrayNode()));
    Arbitrary<JsonNode> notMap =
        Arbitraries.of(
            NODES.numberNode(1),
            NODES.textNode("k=v"),
            NODES.arrayNode().add("a"),
            NODES.objectNode().put("k", 5),
            NODES.objectNode().set("k", NODES.objectNode()));
    Arbitrary<JsonNode> notSchema =
        Arbitraries.of(
            NODES.textNode("1"),
            NODES.numberNode(1.5),
            NODES.booleanNode(true),
            NODES.arrayNode().add(1),
            NODES.numberNode(1L << 40));
    Arbitrary<JsonNode> notTime =
        Arbitraries.of(
            NODES.numberNode(1700000000),
            NODES.textNode("tomorrow"),
            NODES.textNode("2026-13-01T00:00:00Z"),
            NODES.booleanNode(true));
    Arbitrary<JsonNode> notAttachments =
        Arbitraries.of(
            NODES.objectNode(),
            NODES.textNode("a.txt"),
            NODES.arrayNode().add("a.txt"),
            NODES.arrayNode().add(NODES.objectNode().put("filename", 5)));
    return Arbitraries.oneOf(
        List.of(
            Combinators.combine(Arbitraries.of(STRING_FIELDS), notString)
                .as((f, v) -> set(f, v, "wrong type for " + f)),
            Combinators.combine(Arbitraries.of(ADDRESS_FIELDS), notString)
                .as((f, v) -> set(f, v, "wrong type for " + f)),
            Combinators.combine(Arbitraries.of(LIST_FIELDS), notList)
                .as((f, v) -> set(f, v, "wrong type for " + f)),
            Combinators.combine(Arbitraries.of(MAP_FIELDS), notMap)
                .as((f, v) -> set(f, v, "wrong type for " + f)),
            Combinators.combine(Arbitraries.of(TIME_FIELDS), notTime)
                .as((f, v) -> set(f, v, "wrong type for " + f)),
            notSchema.map(v -> set("schema", v, "wrong type for schema")),
            notAttachments.map(v -> set("attachments", v, "wrong type for attachments"))));
  }

  static Arbitrary<Case> headerInjection() {
    return Combinators.combine(
            Arbitraries.of(HEADER_BOUND),
            Arbitraries.of(INJECTIONS),
            Arbitraries.integers().between(0, 4))
        .as(
            (path, bad, where) -> {
              ObjectNode job = base();
              String value = job.at(path).asText();
              int at = Math.min(where, value.length());
              put(job, path, value.substring(0, at) + bad + value.substring(at));
              return new Case("CR/LF/NUL in " + path, bytes(job));
            });
  }

  static Arbitrary<Case> invalidAddress() {
    return Combinators.combine(
            Arbitraries.of("/from", "/replyTo", "/to/0", "/cc/0", "/bcc/0"),
            Arbitraries.of(BAD_ADDRESSES))
        .as(
            (path, bad) -> {
              ObjectNode job = base();
              put(job, path, bad);
              return new Case("invalid address in " + path, bytes(job));
            });
  }

  static Arbitrary<Case> unknownSchema() {
    return Arbitraries.integers()
        .filter(v -> v != 1 && v != 2) // 2 is schema 1 with unsubscribe: known
        .map(v -> set("schema", NODES.numberNode(v), "schema " + v));
  }

  static Arbitrary<Case> deepNesting() {
    return Arbitraries.integers()
        .between(1_001, 20_000)
        .map(
            depth -> {
              String json =
                  "{\"schema\":1,\"id\":\"deep\",\"headers\":{\"X-A\":"
                      + "[".repeat(depth)
                      + "]".repeat(depth)
                      + "}}";
              return new Case("nesting " + depth + " deep", json.getBytes(StandardCharsets.UTF_8));
            });
  }

  static Arbitrary<Case> oversized() {
    return Combinators.combine(
            Arbitraries.of("subject", "text", "html", "id"),
            Arbitraries.integers()
                .between(LIMITS.maxPayloadBytes() + 1, 4 * LIMITS.maxPayloadBytes()))
        .as((f, size) -> set(f, NODES.textNode("x".repeat(size)), "oversized " + f));
  }

  static Arbitrary<Case> badAttachment() {
    Arbitrary<JsonNode> bad =
        Arbitraries.of(
            NODES.objectNode().put("filename", "a.bin").put("content", "@@not base64@@"),
            NODES.objectNode().put("filename", "a.bin").put("content", "aGVsbG8"),
            NODES.objectNode().put("filename", "a.bin").put("content", "aGVs\nbG8="),
            NODES.objectNode().put("content", "aGVsbG8="),
            NODES.objectNode().put("filename", "").put("content", "aGVsbG8="),
            NODES.objectNode().put("filename", "a\".txt").put("content", "aGVsbG8="),
            NODES
                .objectNode()
                .put("filename", "a.bin")
                .put("contentType", "nonsense")
                .put("content", "aGVsbG8="),
            NODES
                .objectNode()
                .put("filename", "a.bin")
                .put("contentId", "<x>")
                .put("content", "aGVsbG8="),
            NODES
                .objectNode()
                .put("filename", "big.bin")
                .put(
                    "content",
                    Base64.getEncoder().encodeToString(new byte[LIMITS.maxAttachmentBytes() + 1])));
    return bad.map(a -> set("attachments", NODES.arrayNode().add(a), "bad attachment"));
  }

  static Arbitrary<Case> broken() {
    String good = new String(bytes(base()), StandardCharsets.UTF_8);
    return Arbitraries.of(
        new Case("empty", new byte[0]),
        new Case("top-level array", ("[" + good + "]").getBytes(StandardCharsets.UTF_8)),
        new Case("top-level string", "\"job\"".getBytes(StandardCharsets.UTF_8)),
        new Case("null", "null".getBytes(StandardCharsets.UTF_8)),
        new Case("trailing garbage", (good + "x").getBytes(StandardCharsets.UTF_8)),
        new Case("two objects", (good + good).getBytes(StandardCharsets.UTF_8)),
        new Case(
            "truncated", good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8)),
        new Case(
            "duplicate key",
            good.replace("{\"schema\":1,", "{\"schema\":1,\"subject\":\"x\",")
                .getBytes(StandardCharsets.UTF_8)),
        new Case("comment", ("/* hi */" + good).getBytes(StandardCharsets.UTF_8)),
        new Case("single quotes", good.replace('"', '\'').getBytes(StandardCharsets.UTF_8)));
  }

  static Arbitrary<Case> missingRequired() {
    return Arbitraries.of("schema", "id", "from", "to+cc+bcc", "text+html")
        .map(
            field -> {
              ObjectNode job = base();
              for (String f : field.split("\\+")) {
                job.remove(f);
              }
              return new Case("missing " + field, bytes(job));
            });
  }

  static Arbitrary<Case> tooManyRecipients() {
    return Arbitraries.integers()
        .between(LIMITS.maxRecipients() + 1, 200)
        .map(
            n -> {
              ObjectNode job = base();
              ArrayNode to = job.putArray("to");
              for (int i = 0; i < n; i++) {
                to.add("r" + i + "@example.net");
              }
              return new Case(n + " recipients", bytes(job));
            });
  }

  private static Case set(String field, JsonNode value, String kind) {
    ObjectNode job = base();
    job.set(field, value);
    return new Case(kind, bytes(job));
  }

  private static void put(ObjectNode job, String path, String value) {
    int slash = path.lastIndexOf('/');
    JsonNode parent = slash == 0 ? job : job.at(path.substring(0, slash));
    String last = path.substring(slash + 1);
    if (parent instanceof ArrayNode array) {
      array.set(Integer.parseInt(last), NODES.textNode(value));
    } else {
      ((ObjectNode) parent).put(last, value);
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
