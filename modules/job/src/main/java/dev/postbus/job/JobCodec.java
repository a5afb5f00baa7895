package dev.postbus.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.postbus.job.internal.JsonErrors;
import dev.postbus.job.internal.Syntax;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON ⇄ {@link Job}. {@link #read(byte[])} is what a worker calls on a record value: size check,
 * strict UTF-8, parse, validate. Unknown fields are ignored; duplicate keys are refused (which one
 * would win is ambiguous). Thread-safe.
 */
public final class JobCodec {

  static final int MAX_NESTING = 32;

  private final ObjectMapper mapper;
  private final JobLimits limits;
  private final JobValidator validator;
  private final JobValidator queued;

  public JobCodec(JobLimits limits) {
    this.limits = limits;
    this.validator = new JobValidator(limits);
    this.queued = JobValidator.forQueuedJobs(limits);
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(limits.maxPayloadBytes())
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper = new ObjectMapper(factory);
  }

  public JobCodec() {
    this(JobLimits.DEFAULTS);
  }

  public JobLimits limits() {
    return limits;
  }

  /** The rules for a job made or published (a publisher validates with these). */
  public JobValidator validator() {
    return validator;
  }

  /**
   * Decodes and validates a record value, by the rules for a job read ({@link
   * JobValidator#forQueuedJobs}): what was valid when it was queued still is.
   */
  public Job read(byte[] payload) throws InvalidJobException {
    Job job = parse(payload);
    queued.validate(job);
    return job;
  }

  /**
   * Decodes without the semantic rules (an absent id is allowed): what a publisher does before
   * adding an id.
   */
  public Job parse(byte[] payload) throws InvalidJobException {
    if (payload == null || payload.length == 0) {
      throw new InvalidJobException("(payload)", "empty record value");
    }
    if (payload.length > limits.maxPayloadBytes()) {
      throw new InvalidJobException(
          "(payload)", payload.length + " bytes; the limit is " + limits.maxPayloadBytes());
    }
    checkUtf8(payload);
    JsonNode root;
    try (JsonParser parser = mapper.createParser(payload)) {
      root = mapper.readTree(parser);
      if (root == null) {
        throw new InvalidJobException("(payload)", "no JSON value (only whitespace)");
      }
      if (parser.nextToken() != null) {
        throw new InvalidJobException("(payload)", "more than one JSON value");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidJobException("(payload)", JsonErrors.describe(e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return toJob(root);
  }

  public byte[] encode(Job job) {
    ObjectNode o = mapper.createObjectNode();
    o.put("schema", job.schema());
    putIfPresent(o, "id", job.id());
    if (job.from() != null) {
      o.set("from", address(job.from()));
    }
    if (job.replyTo() != null) {
      o.set("replyTo", address(job.replyTo()));
    }
    putAddresses(o, "to", job.to());
    putAddresses(o, "cc", job.cc());
    putAddresses(o, "bcc", job.bcc());
    putIfPresent(o, "subject", job.subject());
    putIfPresent(o, "text", job.text());
    putIfPresent(o, "html", job.html());
    if (!job.headers().isEmpty()) {
      ObjectNode h = o.putObject("headers");
      job.headers().forEach(h::put);
    }
    if (!job.attachments().isEmpty()) {
      ArrayNode list = o.putArray("attachments");
      for (Attachment a : job.attachments()) {
        ObjectNode n = list.addObject();
        n.put("filename", a.filename());
        putIfPresent(n, "contentType", a.contentType());
        n.put("content", a.content());
        putIfPresent(n, "contentId", a.contentId());
      }
    }
    if (!job.tags().isEmpty()) {
      ObjectNode t = o.putObject("tags");
      job.tags().forEach(t::put);
    }
    if (job.notBefore() != null) {
      o.put("notBefore", job.notBefore().toString());
    }
    if (job.expiresAt() != null) {
      o.put("expiresAt", job.expiresAt().toString());
    }
    if (job.unsubscribe() != null) {
      putIfPresent(o.putObject("unsubscribe"), "list", job.unsubscribe().list());
    }
    if (job.jobClass() != JobClass.TRANSACTIONAL) {
      o.put("class", job.jobClass().wire());
    }
    try {
      return mapper.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not encode job " + job.id(), e);
    }
  }

  private static void checkUtf8(byte[] payload) throws InvalidJobException {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(payload));
    } catch (CharacterCodingException e) {
      throw new InvalidJobException("(payload)", "not valid UTF-8");
    }
  }

  private static Job toJob(JsonNode root) throws InvalidJobException {
    if (!root.isObject()) {
      throw new InvalidJobException("(payload)", "expected a JSON object, got " + kind(root));
    }
    JsonNode schema = root.get("schema");
    if (schema == null || schema.isNull()) {
      throw new InvalidJobException("schema", "is required (use 1, or 2 with unsubscribe)");
    }
    if (!schema.isIntegralNumber() || !schema.canConvertToInt()) {
      throw new InvalidJobException("schema", "expected an integer, got " + kind(schema));
    }
    return new Job(
        schema.intValue(),
        string(root, "id"),
        optionalAddress(root, "from"),
        optionalAddress(root, "replyTo"),
        addresses(root, "to"),
        addresses(root, "cc"),
        addresses(root, "bcc"),
        string(root, "subject"),
        string(root, "text"),
        string(root, "html"),
        stringMap(root, "headers"),
        attachments(root),
        stringMap(root, "tags"),
        instant(root, "notBefore"),
        instant(root, "expiresAt"),
        unsubscribe(root),
        jobClass(root));
  }

  private static Unsubscribe unsubscribe(JsonNode root) throws InvalidJobException {
    JsonNode node = root.get("unsubscribe");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new InvalidJobException(
          "unsubscribe", "expected an object {\"list\": \"...\"}, got " + kind(node));
    }
    String list = stringAt(node.get("list"), "unsubscribe.list");
    if (list == null) {
      throw new InvalidJobException("unsubscribe.list", "is required");
    }
    return new Unsubscribe(list);
  }

  /** The {@code class} field: absent or null reads as transactional. */
  private static JobClass jobClass(JsonNode root) throws InvalidJobException {
    String v = string(root, "class");
    return v == null ? JobClass.TRANSACTIONAL : JobClass.parse(v, "class");
  }

  private static String string(JsonNode parent, String field) throws InvalidJobException {
    return stringAt(parent.get(field), field);
  }

  private static String stringAt(JsonNode node, String path) throws InvalidJobException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new InvalidJobException(path, "expected a string, got " + kind(node));
    }
    return node.textValue();
  }

  private static MailAddress optionalAddress(JsonNode parent, String field)
      throws InvalidJobException {
    JsonNode node = parent.get(field);
    return node == null || node.isNull() ? null : address(node, field);
  }

  private static List<MailAddress> addresses(JsonNode parent, String field)
      throws InvalidJobException {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new InvalidJobException(field, "expected an array of addresses, got " + kind(node));
    }
    List<MailAddress> list = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      list.add(address(node.get(i), field + "[" + i + "]"));
    }
    return list;
  }

  private static MailAddress address(JsonNode node, String path) throws InvalidJobException {
    if (node.isTextual()) {
      return MailAddress.parse(node.textValue());
    }
    if (node.isObject()) {
      String address = stringAt(node.get("address"), path + ".address");
      if (address == null) {
        throw new InvalidJobException(path + ".address", "is required");
      }
      return new MailAddress(address, stringAt(node.get("name"), path + ".name"));
    }
    throw new InvalidJobException(
        path, "expected an address string or {\"address\": ..., \"name\": ...}, got " + kind(node));
  }

  private static Map<String, String> stringMap(JsonNode parent, String field)
      throws InvalidJobException {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new InvalidJobException(field, "expected an object of strings, got " + kind(node));
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      var e = it.next();
      String path = Syntax.field(field, e.getKey());
      String value = stringAt(e.getValue(), path);
      if (value == null) {
        throw new InvalidJobException(path, "expected a string, got null");
      }
      map.put(e.getKey(), value);
    }
    return map;
  }

  private static List<Attachment> attachments(JsonNode root) throws InvalidJobException {
    JsonNode node = root.get("attachments");
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new InvalidJobException("attachments", "expected an array, got " + kind(node));
    }
    List<Attachment> list = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String path = "attachments[" + i + "]";
      JsonNode a = node.get(i);
      if (!a.isObject()) {
        throw new InvalidJobException(path, "expected an object, got " + kind(a));
      }
      String filename = stringAt(a.get("filename"), path + ".filename");
      String content = stringAt(a.get("content"), path + ".content");
      if (filename == null) {
        throw new InvalidJobException(path + ".filename", "is required");
      }
      if (content == null) {
        throw new InvalidJobException(path + ".content", "is required (base64)");
      }
      list.add(
          new Attachment(
              filename,
              stringAt(a.get("contentType"), path + ".contentType"),
              content,
              stringAt(a.get("contentId"), path + ".contentId")));
    }
    return list;
  }

  private static Instant instant(JsonNode parent, String field) throws InvalidJobException {
    String text = string(parent, field);
    if (text == null) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidJobException(
          field, "expected an ISO-8601 date-time with offset, e.g. 2026-01-31T09:00:00Z");
    }
  }

  private ObjectNode address(MailAddress a) {
    ObjectNode n = mapper.createObjectNode();
    n.put("address", a.address());
    putIfPresent(n, "name", a.name());
    return n;
  }

  private void putAddresses(ObjectNode o, String field, List<MailAddress> list) {
    if (!list.isEmpty()) {
      ArrayNode array = o.putArray(field);
      list.forEach(a -> array.add(address(a)));
    }
  }

  private static void putIfPresent(ObjectNode o, String field, String value) {
    if (value != null) {
      o.put(field, value);
    }
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case BINARY -> "binary";
    };
  }
}
