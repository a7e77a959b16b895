package dev.credentials.core.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.FieldError;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.StoreQuery;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Opaque page tokens: base64url of {@code 1 ‖ lp(sortKey) ‖ lp(id) ‖ first 16 bytes of SHA-256(query filters)}. The
 * token is a position only; tenant and visibility always come from the subject. Not public API.
 */
public final class PageTokens {
    private static final int HASH_BYTES = 16;

    private PageTokens() {}

    /** The token for the page after {@code last}. */
    public static String encode(CredentialQuery query, StoreQuery.Cursor last) {
        byte[] key = last.sortKey().getBytes(StandardCharsets.UTF_8);
        byte[] id = last.id().value().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + key.length + 4 + id.length + HASH_BYTES);
        b.put((byte) 1).putInt(key.length).put(key).putInt(id.length).put(id).put(queryHash(query));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** The position in {@code query}'s token; throws {@link ValidationException} for a token of another query. */
    public static StoreQuery.Cursor decode(CredentialQuery query, String token) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Base64.getUrlDecoder().decode(token));
            if (b.get() != 1) {
                throw invalid();
            }
            String key = new String(read(b), StandardCharsets.UTF_8);
            String id = new String(read(b), StandardCharsets.UTF_8);
            byte[] hash = new byte[HASH_BYTES];
            b.get(hash);
            if (b.hasRemaining() || !MessageDigest.isEqual(hash, queryHash(query))) {
                throw invalid();
            }
            return new StoreQuery.Cursor(key, CredentialId.of(id));
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw invalid();
        }
    }

    private static byte[] read(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw invalid();
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static ValidationException invalid() {
        return ValidationException.of("pageToken", FieldError.Codes.INVALID_PAGE_TOKEN,
                "the page token does not belong to this query; start again from the first page");
    }

    private static byte[] queryHash(CredentialQuery q) {
        String canonical = String.join("\u0000",
                q.typeId().orElse("\u0001"),
                q.status().map(Enum::name).orElse("\u0001"),
                q.sharedWith().map(p -> p.kind() + ":" + p.id()).orElse("\u0001"),
                q.nameContains().orElse("\u0001"));
        try {
            byte[] full = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(full, HASH_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
