package dev.credentials.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialId;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Record ids: drawn per manager and counted, never repeated, within one manager or across several. */
class AuditingIdsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final Subject alice = Subject.user(TenantId.of("acme"), "alice");
    private final CredentialId id = CredentialId.of("c00000000000000000001A");

    @Test
    void idsAreUniqueWithinAManagerAndAcrossManagers() {
        Set<String> ids = new HashSet<>();
        for (int m = 0; m < 4; m++) {
            try (Auditing auditing = new Auditing(new InMemoryCredentialStore(), true, 10, clock, new SecureRandom(),
                    new byte[32])) {
                for (int i = 0; i < 10_000; i++) {
                    AuditRecord r = auditing.record(alice, id, AuditAction.RESOLVED, AuditRecord.OK);
                    ids.add(r.id()); // the record's constructor checks the form: 22 base64url characters
                }
            }
        }
        assertEquals(40_000, ids.size());
    }

    @Test
    void consecutiveIdsShowNoCountThatATenantCouldReadOthersVolumeFrom() {
        try (Auditing auditing = new Auditing(new InMemoryCredentialStore(), true, 10, clock, new SecureRandom(),
                new byte[32])) {
            Set<String> heads = new HashSet<>();
            for (int i = 0; i < 1_000; i++) {
                // counted ids shared their first 10 characters (the manager's part) and differed only at the end
                heads.add(auditing.record(alice, id, AuditAction.RESOLVED, AuditRecord.OK).id().substring(0, 10));
            }
            assertEquals(1_000, heads.size(), "ids look random, each unlike the one before");
        }
    }
}
