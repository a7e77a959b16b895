package dev.credentials.core;

import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.spi.MaintenanceStore;
import dev.credentials.api.spi.MaintenanceStore.KekCursor;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.core.internal.Engine;
import dev.credentials.core.internal.Lifecycle;
import dev.credentials.core.internal.Sealing;
import dev.credentials.core.internal.WritePath;
import dev.credentials.core.internal.WritePath.Write;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rotation and retirement, online. To rotate: add a new KEK to the keyring and make it primary
 * ({@link CredentialManager#useKeyring}), so new writes use it at once; then {@link #rewrap} the records still under
 * older KEKs. Rewrapping replaces only each record's wrapped data key, in batches, with compare-and-set (a concurrent
 * edit wins and is never overwritten), and writes no plaintext anywhere. It is idempotent and resumable: progress is
 * what {@link #usage()} counts in the store, so a rotation stopped by a crash, an interrupt or a store failure is
 * finished by running it again. When a KEK protects nothing, {@link #retire} gives the keyring without it.
 *
 * <p>With several platform nodes, roll the new keyring out in two steps: first with the new KEK present but not
 * primary, on every node; then with it primary. Otherwise a node without the new KEK cannot read what others wrote.
 * Thread-safe; run one rewrap at a time per store.
 */
public final class KeyRotation {
    private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);

    private final MaintenanceStore store;
    private final Sealing sealing;
    private final WritePath writes;
    private final Lifecycle lifecycle;

    KeyRotation(Engine engine, MaintenanceStore store) {
        this.store = store;
        this.sealing = engine.sealing();
        this.writes = engine.writes();
        this.lifecycle = engine.lifecycle();
    }

    /**
     * What the store holds under each KEK.
     *
     * @param recordsByKek records per KEK id
     * @param missing KEK ids that protect records but are not in the keyring: those records cannot be read (a
     *     retired-too-early or deliberately deleted key, as in crypto-shredding a tenant)
     * @param primary the keyring's default primary KEK id
     */
    public record KeyUsage(Map<String, Long> recordsByKek, Set<String> missing, String primary) {
        /**
         * Copies both collections, so a usage does not change after it was counted.
         *
         * @param recordsByKek records per KEK id
         * @param missing KEK ids that protect records but are not in the keyring
         * @param primary the keyring's default primary KEK id
         */
        public KeyUsage {
            recordsByKek = Map.copyOf(recordsByKek);
            missing = Set.copyOf(missing);
        }

        /**
         * Records under {@code kekId}, 0 when none.
         *
         * @param kekId a KEK id, in the keyring or not
         * @return how many records it protected when counted
         */
        public long records(String kekId) {
            return recordsByKek.getOrDefault(kekId, 0L);
        }

        /**
         * Records that no KEK in the keyring can open.
         *
         * @return the sum over the {@code missing} KEKs; above 0, those credentials cannot be resolved or verified
         */
        public long unreadable() {
            return missing.stream().mapToLong(this::records).sum();
        }

        /**
         * Records not under the default primary (tenants with their own primary count here too).
         *
         * @return an upper bound of what a rewrap has to move
         */
        public long notUnderPrimary() {
            return recordsByKek.entrySet().stream().filter(e -> !e.getKey().equals(primary))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }

    /**
     * Progress of a rewrap.
     *
     * @param examined records looked at so far
     * @param estimate records not under the default primary when the run began
     */
    public record Progress(long examined, long estimate) {}

    /**
     * What a rewrap did.
     *
     * @param rewrapped records moved to their tenant's primary KEK
     * @param alreadyCurrent records looked at that were already under their primary
     * @param unreadable records whose KEK is missing or refused them; left as they are
     * @param complete false when the run was interrupted before the end: run it again to finish
     */
    public record Report(long rewrapped, long alreadyCurrent, long unreadable, boolean complete) {}

    /**
     * Records per KEK, and which KEKs are missing from the keyring.
     *
     * @return the counts the store gives now, against the manager's current keyring
     */
    public KeyUsage usage() {
        lifecycle.ensureOpen();
        Map<String, Long> counts = new TreeMap<>(store.countByKek());
        Set<String> missing = new TreeSet<>();
        Keyring ring = sealing.envelope().keyring();
        counts.keySet().forEach(k -> {
            if (ring.kek(k).isEmpty()) {
                missing.add(k);
            }
        });
        return new KeyUsage(counts, missing, ring.primary());
    }

    /**
     * Rewraps everything not under its tenant's primary KEK, in batches of 200.
     *
     * @return what was rewrapped, already current or unreadable, and whether the run reached the end
     */
    public Report rewrap() {
        return rewrap(200, p -> { });
    }

    /**
     * Rewraps every record not under its tenant's primary KEK, in batches of {@code batchSize}, calling
     * {@code progress} after each batch. Stops early, with {@code complete == false}, when the calling thread is
     * interrupted; a store failure propagates. Either way, running it again finishes the work.
     *
     * @param batchSize records read from the store at a time, positive
     * @param progress called on the calling thread after each batch; an exception it throws ends the run
     * @return what was rewrapped, already current or unreadable, and whether the run reached the end
     * @throws IllegalArgumentException when {@code batchSize} is not positive
     */
    public Report rewrap(int batchSize, Consumer<Progress> progress) {
        lifecycle.ensureOpen();
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be positive");
        }
        Objects.requireNonNull(progress, "progress");
        KeyUsage start = usage();
        long estimate = start.notUnderPrimary();
        long examined = 0;
        long rewrapped = 0;
        long current = 0;
        long unreadable = 0;
        for (String kekId : start.recordsByKek().keySet()) {
            KekCursor after = null;
            while (true) {
                List<StoredCredential> page = store.listByKek(kekId, after, batchSize);
                for (StoredCredential r : page) {
                    if (Thread.currentThread().isInterrupted()) {
                        LOG.info("Key rotation interrupted after rewrapping {} credentials; run it again to finish", rewrapped);
                        return new Report(rewrapped, current, unreadable, false);
                    }
                    examined++;
                    switch (rewrapOne(r)) {
                        case REWRAPPED -> rewrapped++;
                        case CURRENT -> current++;
                        case UNREADABLE -> unreadable++;
                    }
                }
                progress.accept(new Progress(examined, estimate));
                if (page.size() < batchSize) {
                    break;
                }
                after = KekCursor.of(page.get(page.size() - 1));
            }
        }
        LOG.info("Key rotation done: {} rewrapped, {} already current, {} unreadable", rewrapped, current, unreadable);
        return new Report(rewrapped, current, unreadable, true);
    }

    private enum Outcome { REWRAPPED, CURRENT, UNREADABLE }

    /**
     * Moves one record to its tenant's primary through the write path: a concurrent edit wins, and the record is
     * looked at again (an edit that re-sealed it may have done the work). Conflicts on every try leave it for the
     * next run.
     */
    private Outcome rewrapOne(StoredCredential first) {
        Outcome[] outcome = {Outcome.CURRENT};
        try {
            writes.write(first, found -> {
                outcome[0] = Outcome.CURRENT;
                if (found.isEmpty()) {
                    return Write.none();
                }
                StoredCredential r = found.get();
                Keyring ring = sealing.envelope().keyring();
                String target = ring.primaryFor(r.tenant());
                if (r.payload().kekId().equals(target)) {
                    return Write.none();
                }
                outcome[0] = Outcome.UNREADABLE;
                if (ring.kek(r.payload().kekId()).isEmpty()) {
                    return Write.none();
                }
                SealedPayload payload;
                try {
                    payload = sealing.rewrap(r, target);
                } catch (CredentialUnreadableException e) {
                    LOG.warn("Cannot rewrap credential {} in tenant {}: {}", r.id(), r.tenant(), e.getMessage());
                    return Write.none();
                }
                outcome[0] = Outcome.REWRAPPED;
                return Write.update(r.toBuilder().payload(payload).build());
            });
            return outcome[0];
        } catch (ConcurrentUpdateException | dev.credentials.api.CredentialNotFoundException e) {
            return Outcome.CURRENT;
        }
    }

    /**
     * Retires {@code kekId} in the store and gives the keyring without it, once no record uses it. Use the result with
     * {@link CredentialManager#useKeyring}; only then delete the key material.
     *
     * <p>Safe against writers in other processes and nodes that share the store and still hold a keyring whose primary
     * is {@code kekId}: the store records the key as retired in the same step as it counts the records under it (see
     * {@link MaintenanceStore#retireKek}), and from then on refuses every write sealed under it with
     * {@link dev.credentials.api.KeyRetiredException}, so no such write is acknowledged and then lost with the key. A
     * write that committed first is counted, and the key is not retired. Every node must run a library version that
     * checks (this one or later) before keys are retired.
     *
     * @param kekId the KEK to retire
     * @return the manager's current keyring without {@code kekId}
     * @throws KeyInUseException when records are still sealed under it
     * @throws IllegalStateException when it is a primary (the default or a tenant's) in this keyring
     * @throws UnsupportedOperationException when the store cannot retire keys
     */
    public Keyring retire(String kekId) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(kekId, "kekId");
        Keyring without = sealing.envelope().keyring().without(kekId); // refuses a primary before the store changes
        long records = store.retireKek(kekId);
        if (records > 0) {
            throw new KeyInUseException(kekId, records);
        }
        LOG.info("Retired the key-encryption key {}: the store refuses writes under it from now on", kekId);
        return without;
    }
}
