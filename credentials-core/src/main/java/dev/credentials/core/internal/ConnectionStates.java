package dev.credentials.core.internal;

import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionRefusedException.Reason;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.ConnectionStateStore.PendingState;
import dev.credentials.api.spi.SealedPayload;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The pending states of connections: how a state value is made and checked, and how its contents are sealed and kept
 * in the store's {@link ConnectionStateStore} capability so that a callback may land on any node.
 *
 * <p>A state value is 128 random bits and a 48-bit check (SHA-256 of the random part), base64url: 30 characters. The
 * check tells a value that was altered or cut from one that is merely unknown. The store keeps it under
 * base64url(SHA-256(label, value)), so a database reader cannot complete a connection; the contents are sealed with
 * the tenant's key, bound (associated data) to the value's random part and the key, so they open only for the one
 * value they were made for. Thread-safe. Not public API.
 */
public final class ConnectionStates {
    private static final int RANDOM_BYTES = 16;
    private static final int CHECK_BYTES = 6;
    private static final String TYPE = "connection-state";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final ConnectionStateStore store;
    private final Sealing sealing;
    private final SecureRandom random;

    public ConnectionStates(ConnectionStateStore store, Sealing sealing, SecureRandom random) {
        this.store = store;
        this.sealing = sealing;
        this.random = random;
    }

    /** A state found and opened: its key, its contents (the caller wipes them) and how it is kept. */
    public record Opened(String key, Map<String, char[]> values, PendingState kept) {
        /** The value of {@code name}, or null. */
        public String get(String name) {
            char[] v = values.get(name);
            return v == null ? null : new String(v);
        }

        /** Overwrites every value. */
        public void wipe() {
            values.values().forEach(v -> Arrays.fill(v, '\0'));
        }
    }

    /** A new state value. */
    public String newValue() {
        byte[] r = new byte[RANDOM_BYTES];
        random.nextBytes(r);
        byte[] all = Arrays.copyOf(r, RANDOM_BYTES + CHECK_BYTES);
        System.arraycopy(check(r), 0, all, RANDOM_BYTES, CHECK_BYTES);
        return B64.encodeToString(all);
    }

    /** Seals {@code values} (not wiped here) and saves them under {@code value}'s key until {@code expiresAt}. */
    public void save(TenantId tenant, String value, Map<String, char[]> values, Instant expiresAt) {
        String key = key(value);
        byte[] plaintext = SecretsCodec.encode(1, values);
        try {
            SealedPayload sealed = sealing.envelope().seal(binding(tenant, value, key), plaintext);
            store.saveConnectionState(new PendingState(key, tenant, sealed, expiresAt, false));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * Checks the value's form, finds it and opens it; does not take it.
     *
     * @throws ConnectionRefusedException TAMPERED for a malformed or altered value or contents that do not open,
     *     UNKNOWN for one that is not kept
     */
    public Opened open(String value) {
        if (!wellFormed(value)) {
            throw new ConnectionRefusedException(Reason.TAMPERED, "The connection's state parameter is not one this"
                    + " service issued, or it was altered; start connecting again.");
        }
        String key = key(value);
        Optional<PendingState> kept = store.findConnectionState(key);
        if (kept.isEmpty()) {
            throw new ConnectionRefusedException(Reason.UNKNOWN, "This connection attempt is unknown (it may have"
                    + " expired long ago); start connecting again.");
        }
        PendingState s = kept.get();
        byte[] plaintext;
        try {
            plaintext = sealing.envelope().open(binding(s.tenant(), value, key), s.sealed());
        } catch (CredentialException | IllegalArgumentException e) {
            throw new ConnectionRefusedException(Reason.TAMPERED, "The stored connection attempt cannot be read"
                    + " (it was altered, or the key that sealed it is gone); start connecting again.");
        }
        try {
            return new Opened(key, SecretsCodec.decode(plaintext).secrets(), s);
        } catch (IllegalArgumentException e) {
            throw new ConnectionRefusedException(Reason.TAMPERED, "The stored connection attempt is malformed; start"
                    + " connecting again.");
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** Takes the state: true for the one caller that may use it. */
    public boolean take(String key, Instant now) {
        return store.takeConnectionState(key, now);
    }

    /** Deletes states that expired before {@code cutoff}. */
    public long purge(Instant cutoff) {
        return store.purgeConnectionStates(cutoff);
    }

    private static boolean wellFormed(String value) {
        if (value == null || value.length() != 30) {
            return false;
        }
        byte[] all;
        try {
            all = Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (all.length != RANDOM_BYTES + CHECK_BYTES || !B64.encodeToString(all).equals(value)) {
            return false;
        }
        byte[] expected = Arrays.copyOf(check(Arrays.copyOf(all, RANDOM_BYTES)), CHECK_BYTES);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(all, RANDOM_BYTES, all.length));
    }

    private static Envelope.Binding binding(TenantId tenant, String value, String key) {
        String randomPart = B64.encodeToString(Arrays.copyOf(Base64.getUrlDecoder().decode(value), RANDOM_BYTES));
        return new Envelope.Binding(tenant, CredentialId.of(randomPart), TYPE, Map.of("key", key));
    }

    private static String key(String value) {
        return B64.encodeToString(sha256(("dev.credentials/connection-state\0" + value).getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] check(byte[] randomPart) {
        MessageDigest sha = digest();
        sha.update("dev.credentials/state-check\0".getBytes(StandardCharsets.UTF_8));
        return sha.digest(randomPart);
    }

    private static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
