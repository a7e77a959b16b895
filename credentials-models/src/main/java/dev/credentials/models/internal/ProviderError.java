package dev.credentials.models.internal;

import dev.credentials.integration.ThirdPartyJson;
import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.integration.VerifierHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The parts of a provider's error body that classification needs, from the shapes the providers document: OpenAI and
 * Azure {@code {"error":{"type","code","message"}}}, Anthropic {@code {"type":"error","error":{"type","message",
 * "details":{"error_code"}}}}, Gemini's {@code google.rpc.Status} with {@code ErrorInfo.reason}, {@code QuotaFailure}
 * and {@code RetryInfo}. Messages are kept lower-cased for matching known phrases and are never shown. Not public API.
 */
public record ProviderError(String type, String code, String status, String reason, String detailCode,
                            String message, List<String> quotaIds, Optional<String> retryDelay) {

    /** An empty error, for bodies that are not JSON errors. */
    public static final ProviderError NONE = new ProviderError("", "", "", "", "", "", List.of(), Optional.empty());

    /** Reads what it can of {@code reply}'s body. */
    public static ProviderError of(VerifierHttp.Reply reply) {
        Optional<JsonNode> parsed = reply.truncated() ? Optional.empty() : ThirdPartyJson.parse(reply.body());
        if (parsed.isEmpty() || !parsed.get().isObject()) {
            return NONE;
        }
        JsonNode root = parsed.get();
        JsonNode error = root.get("error");
        if (error == null) {
            // LiteLLM-style and some proxies put the fields at the top level.
            error = root;
        }
        if (error.isTextual()) {
            return new ProviderError("", "", "", "", "", lower(error.asText()), List.of(), Optional.empty());
        }
        String type = text(error, "type");
        String code = text(error, "code");
        String status = text(error, "status");
        String message = lower(text(error, "message"));
        String detailCode = text(error.path("details"), "error_code");
        String reason = "";
        List<String> quotaIds = new ArrayList<>();
        Optional<String> retryDelay = Optional.empty();
        JsonNode details = error.get("details");
        if (details != null && details.isArray()) {
            for (JsonNode d : details) {
                String kind = text(d, "@type");
                if (kind.endsWith("google.rpc.ErrorInfo")) {
                    reason = text(d, "reason");
                } else if (kind.endsWith("google.rpc.QuotaFailure") && d.path("violations").isArray()) {
                    for (JsonNode v : d.path("violations")) {
                        quotaIds.add(text(v, "quotaId") + " " + text(v, "quotaMetric"));
                    }
                } else if (kind.endsWith("google.rpc.RetryInfo")) {
                    String delay = text(d, "retryDelay");
                    retryDelay = delay.isEmpty() ? Optional.empty() : Optional.of(delay);
                }
            }
        }
        return new ProviderError(type, code, status, reason, detailCode, message, List.copyOf(quotaIds), retryDelay);
    }

    /** True when the message contains {@code phrase} (lower case). */
    public boolean says(String phrase) {
        return message.contains(phrase);
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return "";
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : "";
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
