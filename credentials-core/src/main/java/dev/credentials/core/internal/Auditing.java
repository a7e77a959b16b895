package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditQuery;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.FieldError;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.AuditStore;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.StoredCredential;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit trail's one place in the core: builds records (never with a secret value: ids, principals, the action and
 * an outcome code), writes a change's records through the store call that writes the change, hands uses and refusals
 * to the {@link AuditWriter}, and reads the trail with authenticated page tokens. When the store has no
 * {@link AuditStore} capability, or the trail is turned off, changes are written without records and reads are
 * refused. Access checks are the caller's. Thread-safe. Not public API.
 */
public final class Auditing implements AutoCloseable {
    /** The actions counted as uses in a usage summary. */
    public static final Set<AuditAction> USES = Set.of(AuditAction.RESOLVED, AuditAction.AUTHENTICATED);

    private static final Duration WARN_INTERVAL = Duration.ofMinutes(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final int BATCH_SIZE = 1_024;
    private static final Duration LINGER = Duration.ofMillis(50);
    /** How long a use waits for room in a full queue while the store takes batches, before its record is dropped. */
    public static final Duration FULL_QUEUE_WAIT = Duration.ofMillis(100);

    private final CredentialStore store;
    private final AuditStore trail;
    private final AuditWriter writer;
    private final Clock clock;
    private final long idPrefix;
    private final AtomicLong idCounter;
    /** Enciphers each id (one AES block), so that ids seen by one tenant reveal nothing of how many others there were. */
    private final Cipher idCipher;
    private final SecretKeySpec tokenKey;

    /**
     * @param enabled false to keep no trail even when the store could
     * @param queueCapacity the most use records waiting to be written
     * @param pageTokenKey the manager's page token key; a separate key for audit tokens is derived from it
     */
    public Auditing(CredentialStore store, boolean enabled, int queueCapacity, Clock clock, SecureRandom random,
                    byte[] pageTokenKey) {
        this.store = Objects.requireNonNull(store, "store");
        this.trail = enabled && store instanceof AuditStore a ? a : null;
        this.clock = clock;
        this.idPrefix = random.nextLong();
        this.idCounter = new AtomicLong(random.nextLong());
        byte[] idKey = new byte[16];
        random.nextBytes(idKey);
        try {
            this.idCipher = Cipher.getInstance("AES/ECB/NoPadding"); // one block of unique input: a permutation
            idCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(idKey, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        } finally {
            Arrays.fill(idKey, (byte) 0);
        }
        this.writer = trail == null ? null
                : new AuditWriter(trail, clock, queueCapacity, BATCH_SIZE, LINGER, WARN_INTERVAL, CLOSE_TIMEOUT,
                        FULL_QUEUE_WAIT);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pageTokenKey, "HmacSHA256"));
            byte[] derived = mac.doFinal("dev.credentials audit page tokens".getBytes(StandardCharsets.US_ASCII));
            this.tokenKey = new SecretKeySpec(derived, "HmacSHA256");
            Arrays.fill(derived, (byte) 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether records are kept. */
    public boolean enabled() {
        return trail != null;
    }

    /** A record of {@code action} by {@code subject} on {@code id}, now. */
    public AuditRecord record(Subject subject, CredentialId id, AuditAction action, String outcome) {
        return record(subject, id, action, outcome, null, clock.instant());
    }

    private AuditRecord record(Subject subject, CredentialId id, AuditAction action, String outcome, String rule,
                               Instant at) {
        return new AuditRecord(nextId(), at, subject.tenant(), id, action, subject.actor(),
                subject.onBehalfOf().orElse(null), List.copyOf(subject.memberships()), outcome, rule);
    }

    /**
     * A new record id: this manager's random 8 bytes and its counter (which starts at random), enciphered as one AES
     * block under a key drawn once per manager, in base64url. Ids need only be unique (they break ties of time in the
     * trail's order, and the store keys records by them): distinct blocks encipher to distinct ids, and 128 bits from
     * a random key are as unique across managers as 128 random bits, without a {@link SecureRandom} call (a lock and a
     * system call) per record. Enciphering matters because the counter is shared by every tenant the manager serves:
     * counted ids would let a tenant admin read, from the gaps between its own records' ids, how many records other
     * tenants made in between.
     */
    private String nextId() {
        byte[] b = ByteBuffer.allocate(16).putLong(idPrefix).putLong(idCounter.getAndIncrement()).array();
        byte[] id;
        synchronized (idCipher) { // the writer's thread makes most ids; a change's record is made on its caller's
            try {
                id = idCipher.doFinal(b);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("enciphering an audit record id failed", e);
            }
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    /**
     * Queues the record of a selection: {@code id} chosen by {@code rule}, or (both null) none found. Never blocks.
     */
    public void selection(Subject subject, CredentialId id, String rule) {
        queue(subject, id, AuditAction.SELECTED, id == null ? AuditRecord.AUTHORIZATION_REQUIRED : AuditRecord.OK,
                rule);
    }

    /**
     * Queues a use's record, which the writer's thread builds: the caller pays for reading the clock and queuing, not
     * for the id, the copies and the checks.
     */
    private void queue(Subject subject, CredentialId id, AuditAction action, String outcome, String rule) {
        if (writer != null) {
            Instant at = clock.instant();
            writer.submit(() -> record(subject, id, action, outcome, rule, at));
        }
    }

    // ------------------------------------------------------------------------------------------------ changes

    /**
     * The records a change by {@code subject} commits with it, for {@link WritePath.Write#withAudit}: one record, or
     * none when the trail is off. Built per try of the write path, so only the committed try's record is kept.
     */
    public List<AuditRecord> change(Subject subject, CredentialId id, AuditAction action, String outcome) {
        return trail == null ? List.of() : List.of(record(subject, id, action, outcome));
    }

    /** Inserts {@code r}, with the record of its creation by {@code subject} when the trail is on. */
    public void insert(StoredCredential r, Subject subject) {
        if (trail == null) {
            store.insert(r);
        } else {
            trail.insert(r, List.of(record(subject, r.id(), AuditAction.CREATED, AuditRecord.OK)));
        }
    }

    /** Compare-and-set update of {@code next}, with the record of {@code action} when the trail is on. */
    public void update(StoredCredential next, long expectedRevision, Subject subject, AuditAction action,
                       String outcome) {
        if (trail == null) {
            store.update(next, expectedRevision);
        } else {
            trail.update(next, expectedRevision, List.of(record(subject, next.id(), action, outcome)));
        }
    }

    /** Compare-and-set delete, with the record of it when the trail is on. */
    public void delete(TenantId tenant, CredentialId id, long expectedRevision, Subject subject) {
        if (trail == null) {
            store.delete(tenant, id, expectedRevision);
        } else {
            trail.delete(tenant, id, expectedRevision, List.of(record(subject, id, AuditAction.DELETED, AuditRecord.OK)));
        }
    }

    // ------------------------------------------------------------------------------------------------ uses

    /**
     * Queues the record of a use or refusal. Never throws for a full queue: it waits for room, up to
     * {@link #FULL_QUEUE_WAIT} and only while the store takes batches, then drops the record and counts it.
     */
    public void use(Subject subject, CredentialId id, AuditAction action, String outcome) {
        queue(subject, id, action, outcome, null);
    }

    /** The writer's counters; zeros when the trail is off. */
    public AuditWriter.Stats stats() {
        return writer == null ? new AuditWriter.Stats(0, 0, 0, 0) : writer.stats();
    }

    /** Waits up to {@code timeout} for the uses queued so far to be written; true when they were. */
    public boolean flush(Duration timeout) throws InterruptedException {
        return writer == null || writer.flush(timeout);
    }

    // ------------------------------------------------------------------------------------------------ reads

    /** One page of the subject's tenant's trail matching {@code q}; the caller has checked access. */
    public Page<AuditRecord> query(Subject subject, AuditQuery q) {
        AuditStore t = requireTrail();
        AuditStoreQuery sq = new AuditStoreQuery(q.credential(), q.principal(), q.actions(), q.from(), q.to(),
                q.pageToken().map(token -> decode(subject, q, token)), q.pageSize());
        List<AuditRecord> page = t.audit(subject.tenant(), sq);
        String next = page.size() < q.pageSize() ? null
                : encode(subject, q, AuditStoreQuery.Cursor.of(page.get(page.size() - 1)));
        return new Page<>(page, next);
    }

    /** Who used credential {@code id} since {@code since}; the caller has checked access. */
    public CredentialUsage usage(TenantId tenant, CredentialId id, Instant since) {
        AuditStore t = requireTrail();
        List<PrincipalUsage> all = t.usage(tenant, id, since, USES);
        return new CredentialUsage(id, since, ofKind(all, Principal.Kind.AGENT), ofKind(all, Principal.Kind.TOOL),
                ofKind(all, Principal.Kind.USER), t.count(tenant, id, since, USES),
                t.count(tenant, id, since, Set.of(AuditAction.DENIED)));
    }

    private static List<PrincipalUsage> ofKind(List<PrincipalUsage> all, Principal.Kind kind) {
        return all.stream().filter(u -> u.principal().kind() == kind).toList();
    }

    /** Deletes records older than {@code cutoff} in every tenant; returns how many. */
    public long purgeBefore(Instant cutoff) {
        return requireTrail().purgeBefore(cutoff);
    }

    private AuditStore requireTrail() {
        if (trail == null) {
            throw new UnsupportedOperationException(store instanceof AuditStore
                    ? "the audit trail is turned off for this manager (CredentialManager.builder().auditTrail(false))"
                    : "the credential store " + store.getClass().getName() + " keeps no audit trail (it does not "
                            + "implement AuditStore)");
        }
        return trail;
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ page tokens

    private static final byte VERSION = 1;
    private static final int TAG_BYTES = 32;

    /** base64url of {@code 1 ‖ micros ‖ lp(id) ‖ HMAC(context ‖ body)}, bound to the subject and the filters. */
    private String encode(Subject subject, AuditQuery q, AuditStoreQuery.Cursor c) {
        byte[] id = c.id().getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(1 + 8 + 4 + 4 + id.length);
        body.put(VERSION).putLong(c.at().getEpochSecond()).putInt(c.at().getNano()).putInt(id.length).put(id);
        byte[] tag = tag(subject, q, body.array());
        byte[] token = Arrays.copyOf(body.array(), body.capacity() + TAG_BYTES);
        System.arraycopy(tag, 0, token, body.capacity(), TAG_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    private AuditStoreQuery.Cursor decode(Subject subject, AuditQuery q, String token) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            throw invalidToken();
        }
        if (raw.length <= TAG_BYTES) {
            throw invalidToken();
        }
        byte[] body = Arrays.copyOf(raw, raw.length - TAG_BYTES);
        byte[] tag = Arrays.copyOfRange(raw, raw.length - TAG_BYTES, raw.length);
        if (!MessageDigest.isEqual(tag, tag(subject, q, body))) {
            throw invalidToken();
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(body);
            if (b.get() != VERSION) {
                throw invalidToken();
            }
            Instant at = Instant.ofEpochSecond(b.getLong(), b.getInt());
            int n = b.getInt();
            if (n < 0 || n != b.remaining()) {
                throw invalidToken();
            }
            byte[] id = new byte[n];
            b.get(id);
            return new AuditStoreQuery.Cursor(at, new String(id, StandardCharsets.UTF_8));
        } catch (BufferUnderflowException | java.time.DateTimeException e) {
            throw invalidToken();
        }
    }

    private static ValidationException invalidToken() {
        return ValidationException.of("pageToken", FieldError.Codes.INVALID_PAGE_TOKEN,
                "the page token is not valid for this query and caller; start again from the first page (a token is "
                        + "accepted by another node only when every node has the same "
                        + "CredentialManager.builder().pageTokenKey(...))");
    }

    private byte[] tag(Subject s, AuditQuery q, byte[] body) {
        ByteArrayOutputStream context = new ByteArrayOutputStream(256);
        put(context, s.tenant().value());
        put(context, s.actor().kind().name());
        put(context, s.actor().id());
        put(context, s.isAdmin() ? "admin" : "-");
        put(context, q.credential().map(CredentialId::value).orElse(""));
        put(context, q.principal().map(p -> p.kind().name() + ":" + p.id()).orElse(""));
        put(context, String.join(",", q.actions().stream().map(AuditAction::name).sorted().toList()));
        put(context, q.from().map(Instant::toString).orElse(""));
        put(context, q.to().map(Instant::toString).orElse(""));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(tokenKey);
            mac.update(context.toByteArray());
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static void put(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >>> 24);
        out.write(b.length >>> 16);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.write(b, 0, b.length);
    }
}
