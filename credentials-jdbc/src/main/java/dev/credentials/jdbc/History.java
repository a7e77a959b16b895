package dev.credentials.jdbc;

import dev.credentials.api.VerificationResult;
import dev.credentials.jdbc.internal.FlatJson;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Verification history as text: one flat JSON object per line, newest first. */
final class History {
    private History() {}

    static String write(List<VerificationResult> history) {
        if (history.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (VerificationResult r : history) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("outcome", r.outcome().name());
            if (r.reason() != null) {
                m.put("reason", r.reason().name());
            }
            m.put("message", r.message());
            if (r.checkedAt() != null) {
                m.put("checkedAt", r.checkedAt().truncatedTo(ChronoUnit.MICROS).toString());
            }
            if (r.elapsed() != null) {
                m.put("elapsedMicros", Long.toString(r.elapsed().toNanos() / 1_000));
            }
            if (r.retryAfter() != null) {
                m.put("retryAfter", r.retryAfter().truncatedTo(ChronoUnit.MICROS).toString());
            }
            b.append(FlatJson.write(m)).append('\n');
        }
        return b.toString();
    }

    static List<VerificationResult> read(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<VerificationResult> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, String> m = FlatJson.read(line);
            out.add(new VerificationResult(VerificationResult.Outcome.valueOf(m.get("outcome")),
                    m.containsKey("reason") ? VerificationResult.FailureReason.valueOf(m.get("reason")) : null,
                    m.get("message"), m.containsKey("checkedAt") ? Instant.parse(m.get("checkedAt")) : null,
                    m.containsKey("elapsedMicros") ? Duration.of(Long.parseLong(m.get("elapsedMicros")), ChronoUnit.MICROS)
                            : null,
                    m.containsKey("retryAfter") ? Instant.parse(m.get("retryAfter")) : null));
        }
        return out;
    }
}
