package dev.credentials.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.TenantId;
import dev.credentials.api.spi.AuditStoreQuery;
import dev.credentials.testkit.AuditStoreContract;
import dev.credentials.testkit.CredentialStoreContract;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * On PostgreSQL a batch of uses is copied in ({@code COPY ... FORMAT binary}), not inserted: what is read back must be
 * exactly what the inserts store, for every value a record may hold, and the principal filter and usage must read the
 * actor from the record's own row.
 */
class AuditCopyTest {
    private final TenantId tenant = TenantId.of("copy-" + UUID.randomUUID());

    /** Records with the values most likely to be mangled by a wire format: quotes, backslashes, separators, long ids. */
    private List<AuditRecord> awkwardRecords() {
        CredentialId id = CredentialStoreContract.randomId();
        Principal quoted = Principal.user("o'brien \"q\" \\N back\\slash ; -- , | \\. end");
        Principal music = Principal.agent("\uD834\uDD1E-agent-\u00e9\u4e2d");
        Principal longest = Principal.group("g".repeat(Principal.MAX_ID_LENGTH));
        Principal tool = Principal.tool("PGCOPY\\377\\r\\n\\0");
        List<AuditRecord> out = new ArrayList<>();
        out.add(new AuditRecord(AuditStoreContract.randomRecordId(), Instant.parse("1999-12-31T23:59:59.999999999Z"),
                tenant, id, AuditAction.RESOLVED, tool, quoted, List.of(music, longest), AuditRecord.OK, null));
        out.add(new AuditRecord(AuditStoreContract.randomRecordId(), Instant.parse("2026-03-01T10:00:00.123456789Z"),
                tenant, id, AuditAction.AUTHENTICATED, quoted, null, List.of(), "failed:invalid_credentials", null));
        out.add(new AuditRecord(AuditStoreContract.randomRecordId(), Instant.parse("2026-03-01T10:00:01Z"), tenant, null,
                AuditAction.SELECTED, tool, quoted, List.of(music), AuditRecord.AUTHORIZATION_REQUIRED,
                "rule \"x\" \\ y"));
        out.add(new AuditRecord(AuditStoreContract.randomRecordId(), Instant.parse("2000-01-01T00:00:00Z"), tenant, id,
                AuditAction.DENIED, music, null, List.of(longest, quoted, tool), AuditRecord.DENIED, null));
        return out;
    }

    @Test
    void copiedRecordsReadBackExactlyAsInsertedOnes() {
        List<AuditRecord> records = awkwardRecords();
        JdbcCredentialStore copying = store(Databases.postgres(), "copy_");
        JdbcCredentialStore inserting = store(withoutDriver(Databases.postgres()), "insert_");
        copying.append(records);
        inserting.append(records);

        List<AuditRecord> expected = records.stream().sorted(Comparator.comparing(AuditRecord::at).reversed()).toList();
        assertEquals(expected, copying.audit(tenant, AuditStoreQuery.of(100)), "copied");
        assertEquals(expected, inserting.audit(tenant, AuditStoreQuery.of(100)), "inserted");
        for (AuditRecord r : records) {
            for (Principal p : r.principals()) {
                assertEquals(byPrincipal(inserting, p), byPrincipal(copying, p), "the records naming " + p);
                assertTrue(byPrincipal(copying, p).contains(r), r.id() + " found by " + p);
            }
        }
        CredentialId id = records.get(0).credential();
        Set<AuditAction> all = Set.copyOf(AuditAction.values());
        Instant since = Instant.parse("1990-01-01T00:00:00Z");
        assertEquals(Set.copyOf(inserting.usage(tenant, id, since, all)), Set.copyOf(copying.usage(tenant, id, since, all)));
    }

    @Test
    void theActorIsCountedFromItsRecordAndOnlyOnce() {
        JdbcCredentialStore store = store(Databases.postgres(), "copy_");
        CredentialId id = CredentialStoreContract.randomId();
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        Principal tool = Principal.tool("jira-search");
        Principal agent = Principal.agent("research");
        store.append(List.of(
                AuditStoreContract.auditRecord(tenant, id, AuditAction.RESOLVED, tool, at, agent),
                AuditStoreContract.auditRecord(tenant, id, AuditAction.RESOLVED, tool, at.plusSeconds(1), agent),
                // an agent acting itself, and also listed among its memberships: still one record, counted once
                AuditStoreContract.auditRecord(tenant, id, AuditAction.RESOLVED, agent, at.plusSeconds(2), agent)));
        assertEquals(Set.of(new PrincipalUsage(tool, 2, at.plusSeconds(1)), new PrincipalUsage(agent, 3, at.plusSeconds(2))),
                Set.copyOf(store.usage(tenant, id, at, Set.of(AuditAction.RESOLVED))));
        assertEquals(3, byPrincipal(store, agent).size());
        assertEquals(2, byPrincipal(store, tool).size());
        assertFalse(byPrincipal(store, Principal.user("nobody")).iterator().hasNext());
    }

    @Test
    void theLimitHoldsAcrossActorAndOtherPrincipalsNewestFirst() {
        JdbcCredentialStore store = store(Databases.postgres(), "copy_");
        CredentialId id = CredentialStoreContract.randomId();
        Instant at = Instant.parse("2026-03-01T10:00:00Z");
        Principal agent = Principal.agent("research");
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // the agent acts in the even ones and is a membership in the odd ones
            Principal actor = i % 2 == 0 ? agent : Principal.tool("t" + i);
            records.add(AuditStoreContract.auditRecord(tenant, id, AuditAction.RESOLVED, actor, at.plusSeconds(i), agent));
        }
        store.append(records);
        AuditStoreQuery q = new AuditStoreQuery(Optional.empty(), Optional.of(agent), Set.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), 3);
        List<AuditRecord> page = store.audit(tenant, q);
        assertEquals(List.of(records.get(9), records.get(8), records.get(7)), page);
        List<AuditRecord> next = store.audit(tenant, q.after(AuditStoreQuery.Cursor.of(page.get(2))));
        assertEquals(List.of(records.get(6), records.get(5), records.get(4)), next);
    }

    @Test
    void aRecordWithAnActorRowFromAnEarlierVersionIsListedOnceForItsActor() throws Exception {
        DataSource ds = Databases.postgres();
        JdbcCredentialStore store = store(ds, "copy_");
        Principal tool = Principal.tool("jira-search");
        AuditRecord r = AuditStoreContract.auditRecord(tenant, CredentialStoreContract.randomId(), AuditAction.RESOLVED,
                tool, Instant.parse("2026-03-01T10:00:00Z"), Principal.agent("research"));
        store.append(List.of(r));
        // a node still on the version before V10 writes the actor a principals row too
        try (Connection c = ds.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO"
                + " copy_audit_principals (tenant, record_id, principal_key, credential_id, action, occurred_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, tenant.value());
            ps.setString(2, r.id());
            ps.setString(3, "TOOL:jira-search");
            ps.setString(4, r.credential().value());
            ps.setString(5, AuditAction.RESOLVED.name());
            ps.setObject(6, java.time.OffsetDateTime.ofInstant(r.at(), java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        }
        assertEquals(List.of(r), byPrincipal(store, tool));
    }

    private List<AuditRecord> byPrincipal(JdbcCredentialStore store, Principal p) {
        return store.audit(tenant, new AuditStoreQuery(Optional.empty(), Optional.of(p), Set.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), 100));
    }

    private static JdbcCredentialStore store(DataSource ds, String prefix) {
        return JdbcCredentialStore.builder(ds).tablePrefix(prefix).migrate(true).build();
    }

    /** Connections that do not unwrap to the PostgreSQL driver's, as from a pool that does not: the store inserts. */
    private static DataSource withoutDriver(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(AuditCopyTest.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = Reflection.invoke(ds, method, args);
                    if (!(result instanceof Connection real)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(AuditCopyTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("isWrapperFor") && a[0] == PGConnection.class) {
                                    return false;
                                }
                                return Reflection.invoke(real, m, a);
                            });
                });
    }

}
