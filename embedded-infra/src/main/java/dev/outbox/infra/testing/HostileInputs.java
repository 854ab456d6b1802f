package dev.outbox.infra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates hostile requests from a seed, so a failure can be replayed ({@code -Dfuzz.seed=<seed>}): bodies
 * shaped like requests with each field right, missing or anything; JSON damaged in transit; random bytes; path
 * ids with traversal, injection and control characters. (jqwik was the first choice; from 1.10 its licence
 * terms ask not to be used by AI agents, which write part of this code, so the generators are our own.)
 */
public final class HostileInputs {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> NASTY = List.of("'; drop table events; --", "\" or 1=1 --", "$1", "\\u0000",
            "%s%n%x", "\r\nSet-Cookie: x=1", "${jndi:ldap://x/a}", "<script>alert(1)</script>", "../../etc/passwd",
            "\u0000", "\uD800", "\uFEFF", "\u202E", "null", "true", "-0", "1e999");
    private static final List<String> NASTY_IDS = List.of("../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%00",
            "' or '1'='1", "1; drop table events;--", "0190a3b2-0000-7000-8000-00000000000",
            "0190a3b2-0000-7000-8000-0000000000000", "null", "${jndi:ldap://x/a}", "\r\nX-Injected: 1", ".", "..");

    private final SplittableRandom random;

    public HostileInputs(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** {@code value} as a URL path segment or query value: every reserved character percent-encoded. */
    public static String urlEncoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A send body: usually request-shaped, sometimes damaged, sometimes any JSON or any text. */
    public String sendBody() {
        return switch (random.nextInt(10)) {
            case 0 -> anyJson(3).toString();
            case 1 -> text(200);
            case 2, 3 -> damaged(sendObject().toString());
            default -> sendObject().toString();
        };
    }

    /** A batch body: an array of request-shaped or arbitrary items, sometimes damaged. */
    public String batchBody() {
        ArrayNode array = NODES.arrayNode();
        int size = random.nextInt(21);
        for (int i = 0; i < size; i++) {
            array.add(random.nextInt(4) == 0 ? anyJson(2) : sendObject());
        }
        return random.nextInt(5) == 0 ? damaged(array.toString()) : array.toString();
    }

    public byte[] bytes() {
        byte[] bytes = new byte[random.nextInt(301)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** An event id as a client might put it in a path: anything, a near-UUID, or a known attack. */
    public String pathId() {
        return switch (random.nextInt(3)) {
            case 0 -> NASTY_IDS.get(random.nextInt(NASTY_IDS.size()));
            case 1 -> chars("0123456789abcdef-", 36);
            default -> {
                String id = text(80);
                yield id.isEmpty() ? "x" : id;
            }
        };
    }

    /** A query-string value: anything a client might send for a key, a limit or a cursor. */
    public String queryValue() {
        return switch (random.nextInt(4)) {
            case 0 -> NASTY.get(random.nextInt(NASTY.size()));
            case 1 -> Long.toString(random.nextLong());
            case 2 -> chars("0123456789-+.eE", 12);
            default -> text(60);
        };
    }

    /** An object shaped like a send request, each field right, absent or anything. */
    public ObjectNode sendObject() {
        ObjectNode node = NODES.objectNode();
        switch (random.nextInt(8)) {
            case 0 -> { }
            case 1 -> node.set("topic", anyJson(1));
            case 2, 3 -> node.put("topic", text(30));
            default -> node.put("topic", "shared-events");
        }
        switch (random.nextInt(7)) {
            case 0 -> { }
            case 1, 2, 3 -> node.put("message", text(60));
            default -> node.set("message", anyJson(3));
        }
        switch (random.nextInt(6)) {
            case 0, 1 -> { }
            case 2 -> node.set("key", anyJson(1));
            default -> node.put("key", text(40));
        }
        switch (random.nextInt(6)) {
            case 0, 1, 2 -> { }
            case 3 -> node.set("headers", anyJson(2));
            default -> {
                ObjectNode headers = node.putObject("headers");
                for (int i = random.nextInt(6); i > 0; i--) {
                    headers.put(text(20), text(40));
                }
            }
        }
        if (random.nextInt(8) == 0) {
            node.put(text(10), 1);
        }
        return node;
    }

    private JsonNode anyJson(int depth) {
        int kind = random.nextInt(depth == 0 ? 5 : 7);
        switch (kind) {
            case 0:
                return NODES.textNode(text(40));
            case 1:
                return NODES.numberNode(random.nextInt());
            case 2:
                return NODES.numberNode(Double.longBitsToDouble(random.nextLong()));
            case 3:
                return NODES.booleanNode(random.nextBoolean());
            case 4:
                return NODES.nullNode();
            case 5: {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    array.add(anyJson(depth - 1));
                }
                return array;
            }
            default: {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    object.set(text(8), anyJson(depth - 1));
                }
                return object;
            }
        }
    }

    /** Text with anything in it: any code point or lone surrogate, controls, NUL, CR/LF, known attacks, long runs. */
    private String text(int maxLength) {
        return switch (random.nextInt(6)) {
            case 0 -> NASTY.get(random.nextInt(NASTY.size()));
            case 1 -> "x".repeat(random.nextInt(300));
            case 2 -> chars("\u0000\u0001\u0007\b\t\n\u000b\f\r\u001b\u007f", maxLength);
            default -> {
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
                    text.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
                }
                yield text.toString();
            }
        };
    }

    private String chars(String alphabet, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** Valid JSON damaged in transit: cut short, a character dropped, or a stray character put in. */
    private String damaged(String json) {
        if (json.isEmpty()) {
            return json;
        }
        int at = random.nextInt(json.length());
        return switch (random.nextInt(3)) {
            case 0 -> json.substring(0, at);
            case 1 -> json.substring(0, at) + json.substring(at + 1);
            default -> json.substring(0, at) + (char) random.nextInt(0x10000) + json.substring(at);
        };
    }
}
