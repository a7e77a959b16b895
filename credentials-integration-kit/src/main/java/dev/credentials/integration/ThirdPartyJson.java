package dev.credentials.integration;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * JSON from third parties, read as hostile input: no default typing and no class-based type information (only trees
 * are read, never objects), nesting depth at most {@value #MAX_DEPTH}, strings at most {@value #MAX_STRING_CHARS}
 * characters, documents at most {@link VerifierHttp#MAX_BODY_BYTES} bytes, and duplicate keys rejected (a body that
 * names a member twice could be read one way here and another way by the party that wrote it). Anything malformed or
 * over a limit reads as empty, never as an exception. The mapper is private, so no caller can loosen it. Stateless and
 * thread-safe.
 *
 * <pre>{@code
 * Optional<String> id = ThirdPartyJson.parse(reply.body()).flatMap(n -> ThirdPartyJson.text(n, "accountId"));
 * }</pre>
 */
public final class ThirdPartyJson {
    /** The deepest nesting read. */
    public static final int MAX_DEPTH = 64;
    /** The longest string read, in characters. */
    public static final int MAX_STRING_CHARS = 64 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxStringLength(MAX_STRING_CHARS)
                            .maxDocumentLength(VerifierHttp.MAX_BODY_BYTES)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    private ThirdPartyJson() {}

    /**
     * The parsed body.
     *
     * @param body the bytes of a response body; null reads as empty
     * @return the tree, or empty when the body is empty, not well-formed JSON, or over a limit
     */
    public static Optional<JsonNode> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(MAPPER.readTree(body));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * True when {@code body} begins as a JSON object whose member {@code field} is an array that is empty or starts
     * with an object. Reads only as far as the end of that first entry, so a list of any length, even one cut at the
     * read limit, is recognized from its beginning; anything malformed before that point is no list.
     *
     * @param body the bytes of a response body, possibly cut short; null is no list
     * @param field the member that holds the list, such as {@code data}
     * @return whether the body starts such a list
     */
    public static boolean startsList(byte[] body, String field) {
        if (body == null || body.length == 0) {
            return false;
        }
        try (JsonParser p = MAPPER.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field)) {
                    if (value != JsonToken.START_ARRAY) {
                        return false;
                    }
                    JsonToken first = p.nextToken();
                    if (first == JsonToken.END_ARRAY) {
                        return true;
                    }
                    if (first != JsonToken.START_OBJECT) {
                        return false;
                    }
                    p.skipChildren();
                    return p.currentToken() == JsonToken.END_OBJECT;
                }
                p.skipChildren();
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A non-blank text member of an object.
     *
     * @param node an object, or anything else (which has no members)
     * @param field the member's name
     * @return its text, or empty when {@code node} is not an object or the member is missing, blank or not text
     */
    public static Optional<String> text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
    }

    /**
     * A new, empty object to build a request body with {@link #bytes(JsonNode)}.
     *
     * @return an empty object node
     */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * The UTF-8 bytes of {@code node}, for a request body.
     *
     * @param node the tree to write
     * @return its JSON
     * @throws IllegalStateException if the tree cannot be written (it never holds the values in the message)
     */
    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a JSON request body");
        }
    }
}
