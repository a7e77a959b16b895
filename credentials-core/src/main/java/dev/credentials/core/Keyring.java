package dev.credentials.core;

import com.google.crypto.tink.Aead;
import dev.credentials.api.TenantId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The key-encryption keys (KEKs) that wrap each credential's data key, by id, with a default primary and optionally a
 * primary per tenant. A KEK is any Tink {@link Aead}: a local keyset ({@link LocalKeysets}) or a KMS key obtained from
 * Tink's {@code KmsClient}. One id names exactly one key; decryption uses the id recorded with the payload, never
 * trial of keys. Keys are passed in, never discovered. Immutable and thread-safe.
 */
public final class Keyring {
    private final Map<String, Aead> keks;
    private final String primary;
    private final Map<TenantId, String> tenantPrimaries;

    private Keyring(Map<String, Aead> keks, String primary, Map<TenantId, String> tenantPrimaries) {
        this.keks = keks;
        this.primary = primary;
        this.tenantPrimaries = tenantPrimaries;
    }

    /**
     * A keyring with one KEK, which is primary.
     *
     * @param kekId the id recorded with every payload it wraps: 1 to 128 characters of {@code [A-Za-z0-9._:/-]}
     * @param kek the key, for example {@link LocalKeysets#aead} of a keyset
     * @return the keyring
     * @throws IllegalArgumentException when the id is not valid
     */
    public static Keyring of(String kekId, Aead kek) {
        return builder().add(kekId, kek).primary(kekId).build();
    }

    /**
     * Starts a keyring.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The KEK with this id.
     *
     * @param kekId the id, as recorded with a payload
     * @return the key, or empty when this keyring does not hold it
     */
    public Optional<Aead> kek(String kekId) {
        return Optional.ofNullable(keks.get(kekId));
    }

    /**
     * The id of the KEK that new payloads of {@code tenant} are wrapped with.
     *
     * @param tenant the tenant whose credential is sealed
     * @return the tenant's own primary, or the default primary when it has none
     */
    public String primaryFor(TenantId tenant) {
        return tenantPrimaries.getOrDefault(tenant, primary);
    }

    /**
     * The default primary KEK id.
     *
     * @return the id of the KEK that wraps new payloads of tenants without a primary of their own
     */
    public String primary() {
        return primary;
    }

    /**
     * Every KEK id.
     *
     * @return the ids in the order they were added; not modifiable
     */
    public Set<String> kekIds() {
        return keks.keySet();
    }

    /**
     * A builder holding this keyring's keys and primaries, to add a KEK or change a primary.
     *
     * @return a new builder; this keyring is not changed
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        keks.forEach(b::add);
        b.primary(primary);
        tenantPrimaries.forEach(b::primaryFor);
        return b;
    }

    /**
     * This keyring without {@code kekId}. Prefer {@link KeyRotation#retire}, which first checks that no record uses it.
     *
     * @param kekId the KEK to drop; an id the keyring does not hold changes nothing
     * @return a new keyring; this one is not changed
     * @throws IllegalStateException when {@code kekId} is the default primary or a tenant's primary
     */
    public Keyring without(String kekId) {
        if (kekId.equals(primary) || tenantPrimaries.containsValue(kekId)) {
            throw new IllegalStateException("the KEK " + kekId + " is a primary; make another KEK primary first");
        }
        Builder b = new Builder();
        keks.forEach((id, kek) -> {
            if (!id.equals(kekId)) {
                b.add(id, kek);
            }
        });
        b.primary(primary);
        tenantPrimaries.forEach(b::primaryFor);
        return b.build();
    }

    @Override
    public String toString() {
        return "Keyring{keks=" + keks.keySet() + ", primary=" + primary + ", tenantPrimaries=" + tenantPrimaries.size()
                + "}";
    }

    /** Builds a {@link Keyring}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Aead> keks = new LinkedHashMap<>();
        private String primary;
        private final Map<TenantId, String> tenantPrimaries = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds a KEK. Ids are 1 to 128 characters of {@code [A-Za-z0-9._:/-]}.
         *
         * @param kekId the id recorded with every payload the key wraps; it must keep naming this key for as long as
         *     such payloads exist
         * @param kek the key
         * @return this builder
         * @throws IllegalArgumentException when the id is not valid or already in the keyring
         */
        public Builder add(String kekId, Aead kek) {
            Objects.requireNonNull(kekId, "kekId");
            Objects.requireNonNull(kek, "kek");
            if (!kekId.matches("[A-Za-z0-9._:/-]{1,128}")) {
                throw new IllegalArgumentException("a KEK id is 1 to 128 characters of [A-Za-z0-9._:/-]");
            }
            if (keks.putIfAbsent(kekId, kek) != null) {
                throw new IllegalArgumentException("KEK id " + kekId + " is already in the keyring");
            }
            return this;
        }

        /**
         * Makes {@code kekId} the default primary. Optional when the keyring holds a single KEK.
         *
         * @param kekId the id of a KEK added to this builder (checked by {@link #build()})
         * @return this builder
         */
        public Builder primary(String kekId) {
            this.primary = Objects.requireNonNull(kekId, "kekId");
            return this;
        }

        /**
         * Makes {@code kekId} the primary for one tenant's new payloads.
         *
         * @param tenant the tenant
         * @param kekId the id of a KEK added to this builder (checked by {@link #build()})
         * @return this builder
         */
        public Builder primaryFor(TenantId tenant, String kekId) {
            tenantPrimaries.put(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(kekId, "kekId"));
            return this;
        }

        /**
         * Builds the keyring; the primary and every tenant primary must be in it.
         *
         * @return the immutable keyring
         * @throws IllegalStateException when there is no KEK, no primary among several KEKs, or a primary that is not
         *     in the keyring
         */
        public Keyring build() {
            if (keks.isEmpty()) {
                throw new IllegalStateException("a keyring needs at least one KEK");
            }
            if (primary == null) {
                if (keks.size() > 1) {
                    throw new IllegalStateException("a keyring with several KEKs needs a primary");
                }
                primary = keks.keySet().iterator().next();
            }
            if (!keks.containsKey(primary)) {
                throw new IllegalStateException("the primary KEK " + primary + " is not in the keyring");
            }
            tenantPrimaries.forEach((t, k) -> {
                if (!keks.containsKey(k)) {
                    throw new IllegalStateException("the primary KEK " + k + " of tenant " + t + " is not in the keyring");
                }
            });
            return new Keyring(Collections.unmodifiableMap(new LinkedHashMap<>(keks)), primary,
                    Collections.unmodifiableMap(new LinkedHashMap<>(tenantPrimaries)));
        }
    }
}
