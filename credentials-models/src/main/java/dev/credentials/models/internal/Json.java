package dev.credentials.models.internal;

import dev.credentials.api.spi.VerifierHttp;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * JSON from third parties is hostile input: no default typing, no class-based type information, depth 64, strings up
 * to 64 KiB, documents up to the body cap, and duplicate keys rejected. Not public API.
 */
public final class Json {
    /** The mapper for this module. Thread-safe. */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(64)
                            .maxStringLength(64 * 1024)
                            .maxDocumentLength(VerifierHttp.MAX_BODY_BYTES)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    private Json() {}

    /** The parsed body, or empty when it is not well-formed JSON within the limits. */
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

    /** A non-blank text field of an object, if present. */
    public static Optional<String> text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? Optional.of(v.asText()) : Optional.empty();
    }
}
