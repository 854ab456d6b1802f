package dev.outbox.producer.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.producer.config.OutboxProperties;
import dev.outbox.shared.OutboxHeaders;
import dev.outbox.shared.Problem;

/**
 * Turns a request body into validated {@link IngestRequest}s, or a problem naming the field at fault.
 * Plain class (no Camel), so every rule is reachable from a unit test.
 */
public final class IngestRequestParser {

    private static final Set<String> FIELDS = Set.of("topic", "message", "key", "headers");
    private static final Pattern TRACEPARENT = Pattern.compile("^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");
    private static final Pattern HEADER_NAME = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$");
    private static final int MAX_NESTING_DEPTH = 200;
    /** Headers travel in every Kafka record: bounded so that they fit the room the size limit leaves them. */
    static final int MAX_HEADERS_BYTES = 16 * 1024;

    private final ObjectMapper mapper;
    private final Set<String> allowedTopics;
    private final OutboxProperties.Ingest limits;

    public IngestRequestParser(List<String> allowedTopics, OutboxProperties.Ingest limits) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.allowedTopics = Set.copyOf(allowedTopics);
        this.limits = limits;
    }

    /** The body of {@code POST /api/messages/send}: one event object. */
    public IngestRequest parseSend(byte[] body, String traceparent) {
        JsonNode root = readTree(body);
        if (!root.isObject()) {
            throw Problem.invalidField(400, "", "the body must be a JSON object").toException();
        }
        return parseEvent((ObjectNode) root, "", validTraceparent(traceparent));
    }

    /** The body of {@code POST /api/messages/batch}: a non-empty array of event objects. */
    public List<IngestRequest> parseBatch(byte[] body, String traceparent) {
        JsonNode root = readTree(body);
        if (!root.isArray()) {
            throw Problem.invalidField(400, "", "the body must be a JSON array of events").toException();
        }
        if (root.isEmpty()) {
            throw Problem.invalidField(400, "", "the batch is empty").toException();
        }
        if (root.size() > limits.maxBatchSize()) {
            throw Problem.of(413, "batch-too-large", "Batch too large",
                    "the batch holds " + root.size() + " events, the maximum is " + limits.maxBatchSize()).toException();
        }
        String trace = validTraceparent(traceparent);
        List<IngestRequest> events = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            if (!item.isObject()) {
                throw Problem.invalidField(400, "/" + i, "each batch item must be a JSON object").toException();
            }
            events.add(parseEvent((ObjectNode) item, "/" + i, trace));
        }
        return events;
    }

    private JsonNode readTree(byte[] body) {
        if (body == null || body.length == 0) {
            throw Problem.of(400, "malformed-json", "Malformed JSON", "the request body is empty").toException();
        }
        try {
            JsonNode root = mapper.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw Problem.of(400, "malformed-json", "Malformed JSON", "the request body is empty").toException();
            }
            return root;
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            throw Problem.of(400, "malformed-json", "Malformed JSON", e.getOriginalMessage() + where).toException();
        } catch (IOException e) {
            throw Problem.of(400, "malformed-json", "Malformed JSON", "the request body could not be read").toException();
        }
    }

    private IngestRequest parseEvent(ObjectNode event, String at, String traceparent) {
        for (Iterator<String> names = event.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw Problem.invalidField(400, at + "/" + escape(name), "unknown field; expected topic, message, key, headers")
                        .toException();
            }
        }
        String topic = requiredText(event, "topic", at);
        if (!allowedTopics.contains(topic)) {
            throw Problem.invalidField(422, at + "/topic", "topic '" + printable(topic) + "' is not one of " + allowedTopics)
                    .toException();
        }
        JsonNode message = event.get("message");
        if (message == null || message.isNull()) {
            throw Problem.invalidField(400, at + "/message", "is required").toException();
        }
        if (message.isTextual() && message.textValue().isBlank()) {
            throw Problem.invalidField(400, at + "/message", "must not be blank").toException();
        }
        String payload = serialise(message);
        long size = utf8Length(payload);
        if (size > limits.maxMessageSize().toBytes()) {
            throw Problem.of(413, "message-too-large", "Message too large", at + "/message: the serialised message is "
                    + size + " bytes, the maximum is " + limits.maxMessageSize().toBytes()).toException();
        }
        return new IngestRequest(topic, optionalKey(event, at), payload, headers(event, at), traceparent);
    }

    private String requiredText(ObjectNode event, String field, String at) {
        JsonNode node = event.get(field);
        if (node == null || node.isNull()) {
            throw Problem.invalidField(400, at + "/" + field, "is required").toException();
        }
        if (!node.isTextual()) {
            throw Problem.invalidField(400, at + "/" + field, "must be a string").toException();
        }
        if (node.textValue().isBlank()) {
            throw Problem.invalidField(400, at + "/" + field, "must not be blank").toException();
        }
        return node.textValue();
    }

    private String optionalKey(ObjectNode event, String at) {
        JsonNode node = event.get("key");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw Problem.invalidField(400, at + "/key", "must be a string").toException();
        }
        String key = node.textValue();
        if (key.isEmpty()) {
            throw Problem.invalidField(400, at + "/key", "must not be empty; leave it out to use the event id").toException();
        }
        if (key.length() > limits.maxKeyLength()) {
            throw Problem.invalidField(400, at + "/key", "is longer than " + limits.maxKeyLength() + " characters")
                    .toException();
        }
        if (hasControlCharacter(key)) {
            throw Problem.invalidField(400, at + "/key", "must not contain control characters").toException();
        }
        return key;
    }

    private String headers(ObjectNode event, String at) {
        JsonNode node = event.get("headers");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw Problem.invalidField(400, at + "/headers", "must be an object of string to string").toException();
        }
        if (node.size() > limits.maxHeaders()) {
            throw Problem.invalidField(400, at + "/headers", "has more than " + limits.maxHeaders() + " entries")
                    .toException();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            String pointer = at + "/headers/" + escape(header.getKey());
            if (!HEADER_NAME.matcher(header.getKey()).matches()) {
                throw Problem.invalidField(400, pointer, "header names are 1-256 token characters (RFC 9110)")
                        .toException();
            }
            if (OutboxHeaders.isReserved(header.getKey())) {
                throw Problem.invalidField(400, pointer, "is reserved for the outbox's own record headers").toException();
            }
            JsonNode value = header.getValue();
            if (!value.isTextual()) {
                throw Problem.invalidField(400, pointer, "header values must be strings").toException();
            }
            if (value.textValue().length() > limits.maxHeaderValueLength()) {
                throw Problem.invalidField(400, pointer, "is longer than " + limits.maxHeaderValueLength() + " characters")
                        .toException();
            }
            if (value.textValue().indexOf('\0') >= 0) {
                throw Problem.invalidField(400, pointer, "must not contain NUL characters").toException();
            }
        }
        String serialised = serialise(node);
        if (utf8Length(serialised) > MAX_HEADERS_BYTES) {
            throw Problem.invalidField(400, at + "/headers", "are larger than " + MAX_HEADERS_BYTES + " bytes in all")
                    .toException();
        }
        return serialised;
    }

    private String serialise(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree could not be written back", e);
        }
    }

    /** W3C trace context: a malformed traceparent is ignored (the spec says so), not an error. */
    static String validTraceparent(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        String value = traceparent.strip().toLowerCase(Locale.ROOT);
        return TRACEPARENT.matcher(value).matches() && !value.startsWith("ff") ? value : null;
    }

    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** JSON pointer escaping (RFC 6901) of a member name. */
    private static String escape(String name) {
        return printable(name).replace("~", "~0").replace("/", "~1");
    }

    /** Keeps client text safe to echo in a problem: control characters become '?', length is bounded. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 64));
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return text.length() > 64 ? out.append('…').toString() : out.toString();
    }
}
