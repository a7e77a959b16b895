package dev.credentials.core.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.FieldError;
import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.StoreQuery;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated page tokens: base64url of {@code body ‖ tag}, where {@code body = 2 ‖ lp(sortKey) ‖ lp(id)} and
 * {@code tag = HMAC-SHA256(key, context ‖ body)}; {@code lp} is a 4-byte big-endian length and the bytes, and the
 * context binds the token to the tenant, the acting principal, whether it acts as admin, and the query's filters.
 * A token that was edited, cut short, made up, or issued for another tenant, subject or query fails the tag check
 * and is a {@link ValidationException} before anything is read. The token is a position only: tenant and visibility
 * always come from the subject. Checking costs one HMAC with a key held in memory, never a KMS call. Thread-safe.
 * Not public API.
 */
public final class PageTokens {
    /** The shortest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    private static final byte VERSION = 2;
    private static final int TAG_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] LABEL = "dev.credentials page token v2".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final String keySetting;

    /**
     * @param key the HMAC key, at least {@value #MIN_KEY_BYTES} bytes (copied)
     * @param keySetting how to name the key's setting in an error message, for operators of several nodes
     */
    public PageTokens(byte[] key, String keySetting) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a page token key needs at least " + MIN_KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.keySetting = keySetting;
    }

    /** The token for the page after {@code last}. */
    public String encode(Subject subject, CredentialQuery query, StoreQuery.Cursor last) {
        byte[] sortKey = last.sortKey().getBytes(StandardCharsets.UTF_8);
        byte[] id = last.id().value().getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(1 + 4 + sortKey.length + 4 + id.length);
        body.put(VERSION).putInt(sortKey.length).put(sortKey).putInt(id.length).put(id);
        byte[] tag = tag(subject, query, body.array());
        byte[] token = Arrays.copyOf(body.array(), body.capacity() + TAG_BYTES);
        System.arraycopy(tag, 0, token, body.capacity(), TAG_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /**
     * The position in {@code token}, if this manager's key issued it for this subject and query.
     *
     * @throws ValidationException for {@code pageToken} otherwise
     */
    public StoreQuery.Cursor decode(Subject subject, CredentialQuery query, String token) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (raw.length <= TAG_BYTES) {
            throw invalid();
        }
        byte[] body = Arrays.copyOf(raw, raw.length - TAG_BYTES);
        byte[] tag = Arrays.copyOfRange(raw, raw.length - TAG_BYTES, raw.length);
        if (!MessageDigest.isEqual(tag, tag(subject, query, body))) {
            throw invalid();
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(body);
            if (b.get() != VERSION) {
                throw invalid();
            }
            String sortKey = new String(read(b), StandardCharsets.UTF_8);
            String id = new String(read(b), StandardCharsets.UTF_8);
            if (b.hasRemaining()) {
                throw invalid();
            }
            return new StoreQuery.Cursor(sortKey, CredentialId.of(id));
        } catch (IllegalArgumentException | BufferUnderflowException e) {
            throw invalid();
        }
    }

    private static byte[] read(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private ValidationException invalid() {
        return ValidationException.of("pageToken", FieldError.Codes.INVALID_PAGE_TOKEN,
                "the page token is not valid for this query and caller; start again from the first page (a token is "
                        + "accepted by another node only when every node has the same " + keySetting + ")");
    }

    private byte[] tag(Subject subject, CredentialQuery q, byte[] body) {
        ByteArrayOutputStream context = new ByteArrayOutputStream(256);
        field(context, LABEL);
        text(context, subject.tenant().value());
        text(context, principal(subject.actor()));
        context.write(subject.isAdmin() ? 1 : 0);
        List<String> memberships = subject.memberships().stream().map(PageTokens::principal).sorted().toList();
        context.write(memberships.size() >>> 24);
        context.write(memberships.size() >>> 16);
        context.write(memberships.size() >>> 8);
        context.write(memberships.size());
        memberships.forEach(m -> text(context, m));
        optional(context, q.typeId().orElse(null));
        optional(context, q.status().map(Enum::name).orElse(null));
        optional(context, q.sharedWith().map(PageTokens::principal).orElse(null));
        optional(context, q.nameContains().orElse(null));
        field(context, body);
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(context.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static String principal(Principal p) {
        return p.kind().name() + ":" + p.id();
    }

    private static void optional(ByteArrayOutputStream out, String value) {
        if (value == null) {
            out.write(0);
        } else {
            out.write(1);
            text(out, value);
        }
    }

    private static void text(ByteArrayOutputStream out, String value) {
        field(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void field(ByteArrayOutputStream out, byte[] bytes) {
        out.write(bytes.length >>> 24);
        out.write(bytes.length >>> 16);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.write(bytes, 0, bytes.length);
    }
}
