package dev.credentials.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.credentials.api.FieldError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies: at most the configured number of bytes, strict JSON (no duplicate keys, no trailing content,
 * bounded depth and string length), an object at the top, unknown properties named as field errors; and writes
 * answers. Parser messages are never passed on: they quote the input, which may be a secret. Thread-safe.
 */
final class Bodies {
    /** Answers hold only maps, lists, strings, numbers and booleans of the API's own making. */
    private static final JsonMapper WRITER = JsonMapper.builder().build();

    private final JsonMapper mapper;
    private final int maxBytes;

    Bodies(int maxBytes) {
        this.maxBytes = maxBytes;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                        .maxStringLength(maxBytes).maxDocumentLength(maxBytes).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    int maxBytes() {
        return maxBytes;
    }

    static byte[] write(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("an answer could not be written as JSON", e);
        }
    }

    /** The body as a JSON object whose property names are all among {@code allowed}. */
    JsonNode readObject(ApiRequest request, Set<String> allowed) {
        byte[] bytes = readBounded(request);
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (IOException e) {
            String where = !(e instanceof JsonProcessingException p) || p.getLocation() == null ? ""
                    : " (line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")";
            throw new ProblemException(Problems.Type.MALFORMED_BODY,
                    "The request body is not valid JSON" + where + ", or repeats a property.");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        if (node == null || !node.isObject()) {
            throw new ProblemException(Problems.Type.MALFORMED_BODY, "The request body must be a JSON object.");
        }
        List<FieldError> unknown = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!allowed.contains(e.getKey())) {
                unknown.add(new FieldError(printable(e.getKey()), FieldError.Codes.UNKNOWN_FIELD,
                        "not a property of this request; expected one of " + String.join(", ", allowed)));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ProblemException(Problems.Type.VALIDATION, "The request has properties this API does not take.",
                    unknown);
        }
        return node;
    }

    private byte[] readBounded(ApiRequest request) {
        if (request.contentLength() > maxBytes) {
            throw tooLarge();
        }
        try (InputStream in = request.body()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                Arrays.fill(bytes, (byte) 0);
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new ProblemException(Problems.Type.MALFORMED_BODY, "The request body could not be read.");
        }
    }

    ProblemException tooLarge() {
        return new ProblemException(Problems.Type.BODY_TOO_LARGE,
                "The request body is larger than " + maxBytes + " bytes.");
    }

    /** A property name fit to echo: a client's unknown key is not a secret, but keep it short and plain. */
    static String printable(String name) {
        String cleaned = name.codePoints().filter(c -> c >= 0x20 && c != 0x7f)
                .limit(64).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return cleaned.isEmpty() ? "?" : cleaned;
    }
}
