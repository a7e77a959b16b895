package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.testkit.CredentialManagerExtension;
import dev.credentials.testkit.StubVerifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CredentialManagerExtension.class)
class ListingTest {

    private static List<Credential> all(CredentialManager manager, Subject s, CredentialQuery first) {
        List<Credential> out = new ArrayList<>();
        CredentialQuery q = first;
        while (true) {
            Page<Credential> page = manager.list(s, q);
            assertTrue(page.items().size() <= q.pageSize());
            out.addAll(page.items());
            if (!page.hasNext()) {
                return out;
            }
            q = q.next(page.nextPageToken());
        }
    }

    @Test
    void listIsOrderedByNormalizedNameThenIdAndPagesCoverEverythingOnce(CredentialManager manager) {
        List<String> names = List.of("beta", "Alpha", "  alpha ", "Ångström", "gamma", "Beta", "delta", "épsilon");
        for (String n : names) {
            Fixtures.create(manager, ALICE, n);
        }
        for (int i = 0; i < 30; i++) {
            Fixtures.create(manager, ALICE, "bulk " + i);
        }
        List<Credential> paged = all(manager, ALICE, CredentialQuery.builder().pageSize(7).build());
        assertEquals(38, paged.size());
        assertEquals(38, new HashSet<>(paged.stream().map(Credential::id).toList()).size());
        List<Credential> sorted = new ArrayList<>(paged);
        sorted.sort((a, b) -> {
            int c = dev.credentials.core.internal.Names.sortKey(a.name()).compareTo(dev.credentials.core.internal.Names.sortKey(b.name()));
            return c != 0 ? c : a.id().value().compareTo(b.id().value());
        });
        assertEquals(sorted, paged);
        // "Alpha" and "  alpha " share a sort key, so their ids order them; either way the name was trimmed.
        assertEquals(java.util.Set.of("Alpha", "alpha"), java.util.Set.of(paged.get(0).name(), paged.get(1).name()),
                "names are trimmed when stored");
    }

    @Test
    void filtersNarrowTheListing(CredentialManager manager, StubVerifier verifier) {
        Credential a = Fixtures.create(manager, ALICE, "Jira prod", Share.use(Principal.agent("a1")));
        Credential b = Fixtures.create(manager, ALICE, "Jira test");
        Fixtures.create(manager, ALICE, "Confluence", Share.use(Principal.agent("a1")));
        verifier.willReturn(VerificationResult.failed(FailureReason.EXPIRED, "Expired."));
        manager.verify(ALICE, b.id());
        assertEquals(List.of(b.id()), ids(manager.list(ALICE, CredentialQuery.builder().status(CredentialStatus.FAILED).build())));
        assertEquals(2, manager.list(ALICE, CredentialQuery.builder().nameContains("JIRA").build()).items().size());
        assertEquals(List.of(a.id()), ids(manager.list(ALICE, CredentialQuery.builder().nameContains("jira")
                .sharedWith(Principal.agent("a1")).build())));
        assertEquals(0, manager.list(ALICE, CredentialQuery.builder().typeId("other").build()).items().size());
    }

    private static List<CredentialId> ids(Page<Credential> page) {
        return page.items().stream().map(Credential::id).toList();
    }

    @Test
    void aPageTokenFromAnotherQueryIsRefused(CredentialManager manager) {
        for (int i = 0; i < 5; i++) {
            Fixtures.create(manager, ALICE, "c" + i);
        }
        Page<Credential> first = manager.list(ALICE, CredentialQuery.builder().pageSize(2).build());
        assertTrue(first.hasNext());
        ValidationException e = assertThrows(ValidationException.class, () -> manager.list(ALICE,
                CredentialQuery.builder().nameContains("c").pageToken(first.nextPageToken()).build()));
        assertEquals(Codes.INVALID_PAGE_TOKEN, e.errors().get(0).code());
        assertThrows(ValidationException.class, () -> manager.list(ALICE,
                CredentialQuery.builder().pageToken("not-a-token!").build()));
        // A different page size is the same query.
        assertEquals(3, manager.list(ALICE, CredentialQuery.builder().pageSize(10).pageToken(first.nextPageToken())
                .build()).items().size());
    }

    @Test
    void aNameFilterKeepsItsSpaces(CredentialManager manager) {
        for (String n : List.of("Jira prod", "Jira production", "production", "Jiraprod", "PROD eu")) {
            Fixtures.create(manager, ALICE, n);
        }
        List<String> found = manager.list(ALICE, CredentialQuery.builder().nameContains(" prod").build()).items()
                .stream().map(Credential::name).toList();
        assertEquals(List.of("Jira prod", "Jira production"), found);
        assertEquals(List.of("Jira prod"), manager.list(ALICE, CredentialQuery.builder().nameContains(" PROD").build())
                .items().stream().filter(c -> !c.name().endsWith("uction")).map(Credential::name).toList());
        assertEquals(List.of("PROD eu"), manager.list(ALICE, CredentialQuery.builder().nameContains("prod ").build())
                .items().stream().map(Credential::name).toList());
    }

    @Test
    void anEmptyOrBlankNameFilterIsRefusedRatherThanMatchingEverything() {
        for (String blank : new String[] {"", " ", "   ", "\t", "\u2003"}) {
            ValidationException e = assertThrows(ValidationException.class,
                    () -> CredentialQuery.builder().nameContains(blank).build(), "filter '" + blank + "'");
            assertEquals(Codes.BLANK, e.errorFor("nameContains").orElseThrow().code());
        }
        assertTrue(CredentialQuery.builder().nameContains(null).build().nameContains().isEmpty());
    }

    @Test
    void aTokenNeverWidensVisibility(CredentialManager manager) {
        for (int i = 0; i < 4; i++) {
            Fixtures.create(manager, ALICE, "alice " + i);
        }
        Subject bob = Subject.user(TENANT, "bob");
        Fixtures.create(manager, bob, "bob 0");
        Page<Credential> alicePage = manager.list(ALICE, CredentialQuery.builder().pageSize(1).build());
        assertThrows(ValidationException.class, () -> manager.list(bob, CredentialQuery.builder().pageSize(1)
                .pageToken(alicePage.nextPageToken()).build()), "a token is bound to the subject it was issued to");
        List<Credential> bobsView = all(manager, bob, CredentialQuery.builder().pageSize(1).build());
        assertTrue(bobsView.stream().allMatch(c -> c.owner().equals(bob.actor())));
        assertFalse(manager.list(Subject.user(Fixtures.OTHER_TENANT, "alice").asAdmin(), CredentialQuery.all())
                .items().iterator().hasNext());
    }
}
