package dev.credentials.core;

import static dev.credentials.core.Fixtures.ALICE;
import static dev.credentials.core.Fixtures.OTHER_TENANT;
import static dev.credentials.core.Fixtures.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestClock;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Page tokens are authenticated: an edited, cut, made-up or foreign token is a {@link ValidationException} before the
 * store is asked anything; a token from another node with the same key and store is accepted.
 */
class PageTokenTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final InMemoryCredentialStore store = new InMemoryCredentialStore();
    private final AtomicInteger listCalls = new AtomicInteger();
    private final CredentialStore recording = (CredentialStore) Proxy.newProxyInstance(
            CredentialStore.class.getClassLoader(), new Class<?>[] {CredentialStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("list") || method.getName().startsWith("list")) {
                    listCalls.incrementAndGet();
                }
                try {
                    return method.invoke(store, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    private final dev.credentials.core.Keyring keyring = TestKeys.keyring();
    private CredentialManager manager;

    private CredentialManager node(byte[] key) {
        CredentialManagerBuilder b = CredentialManager.builder().store(recording).keyring(keyring).clock(new TestClock())
                .discoverProviders(false).type(new TestCredentialType());
        if (key != null) {
            b.pageTokenKey(key);
        }
        return b.build();
    }

    @BeforeEach
    void start() {
        manager = node(KEY);
        for (int i = 0; i < 5; i++) {
            Fixtures.create(manager, ALICE, "c" + i);
        }
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    private String firstToken(Subject subject, CredentialQuery.Builder query) {
        Page<Credential> page = manager.list(subject, query.pageSize(2).build());
        assertNotNull(page.nextPageToken());
        return page.nextPageToken();
    }

    private static String edit(String token, java.util.function.Function<byte[], byte[]> change) {
        byte[] raw = Base64.getUrlDecoder().decode(token);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(change.apply(raw));
    }

    private static byte[] flip(byte[] raw, int index) {
        byte[] copy = raw.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    @Test
    void everyForgedOrForeignTokenIsRefusedBeforeTheStoreIsAsked() {
        String good = firstToken(ALICE, CredentialQuery.builder());
        byte[] raw = Base64.getUrlDecoder().decode(good);
        int sortKeyLength = java.nio.ByteBuffer.wrap(raw, 1, 4).getInt();
        int idStart = 1 + 4 + sortKeyLength + 4;

        Subject bob = Subject.user(TENANT, "bob");
        Fixtures.create(manager, bob, "b0");
        Fixtures.create(manager, bob, "b1");
        Fixtures.create(manager, bob, "b2");
        Subject otherTenant = Subject.user(OTHER_TENANT, "alice");
        for (int i = 0; i < 3; i++) {
            Fixtures.create(manager, otherTenant, "o" + i);
        }

        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("edited sort key", edit(good, r -> flip(r, 5)));
        forged.put("edited id", edit(good, r -> flip(r, idStart)));
        forged.put("edited tag", edit(good, r -> flip(r, r.length - 1)));
        forged.put("edited version", edit(good, r -> flip(r, 0)));
        forged.put("longer sort key length", edit(good, r -> flip(r, 4)));
        forged.put("truncated by one byte", edit(good, r -> Arrays.copyOf(r, r.length - 1)));
        forged.put("truncated to the body", edit(good, r -> Arrays.copyOf(r, r.length - 32)));
        forged.put("cut in half", good.substring(0, good.length() / 2));
        forged.put("one character more", good + "A");
        forged.put("garbage", "not-a-token!");
        forged.put("empty", "");
        forged.put("base64 of nothing useful", Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]));
        forged.put("another subject's token", firstToken(bob, CredentialQuery.builder()));
        forged.put("another tenant's token", firstToken(otherTenant, CredentialQuery.builder()));
        forged.put("the same user as admin", firstToken(ALICE.asAdmin(), CredentialQuery.builder()));
        forged.put("another query's token", firstToken(ALICE, CredentialQuery.builder().nameContains("c")));

        List<String> accepted = new ArrayList<>();
        forged.forEach((what, token) -> {
            listCalls.set(0);
            try {
                manager.list(ALICE, CredentialQuery.builder().pageSize(2).pageToken(token).build());
                accepted.add(what);
            } catch (ValidationException e) {
                assertEquals(Codes.INVALID_PAGE_TOKEN, e.errorFor("pageToken").orElseThrow().code(), what);
            }
            assertEquals(0, listCalls.get(), what + " reached the store");
        });
        assertEquals(List.of(), accepted, "forged tokens that were accepted");
        listCalls.set(0);
        assertEquals(2, manager.list(ALICE, CredentialQuery.builder().pageSize(2).pageToken(good).build()).items().size());
        assertEquals(1, listCalls.get());
    }

    @Test
    void aTokenIssuedByOneNodeIsAcceptedByAnotherWithTheSameKey() {
        String token = firstToken(ALICE, CredentialQuery.builder());
        try (CredentialManager other = node(KEY.clone())) {
            assertEquals(List.of("c2", "c3"), other.list(ALICE, CredentialQuery.builder().pageSize(2).pageToken(token)
                    .build()).items().stream().map(Credential::name).toList());
        }
    }

    @Test
    void aNodeWithAnotherKeyRefusesTheTokenAndNamesTheSetting() {
        String token = firstToken(ALICE, CredentialQuery.builder());
        try (CredentialManager other = node(null)) {
            listCalls.set(0);
            ValidationException e = assertThrows(ValidationException.class, () -> other.list(ALICE,
                    CredentialQuery.builder().pageSize(2).pageToken(token).build()));
            assertTrue(e.getMessage().contains("pageTokenKey"), e.getMessage());
            assertEquals(0, listCalls.get());
        }
    }

    @Test
    void aShortKeyIsRefusedWhenConfigured() {
        assertThrows(IllegalArgumentException.class, () -> CredentialManager.builder().pageTokenKey(new byte[16]));
    }

    @Test
    void theSameKeyArrayCanBuildTwoManagers() {
        byte[] key = KEY.clone();
        CredentialManagerBuilder b = CredentialManager.builder().store(recording).keyring(keyring)
                .discoverProviders(false).type(new TestCredentialType()).pageTokenKey(key);
        String token = firstToken(ALICE, CredentialQuery.builder());
        try (CredentialManager first = b.build(); CredentialManager second = b.build()) {
            assertEquals(2, second.list(ALICE, CredentialQuery.builder().pageSize(2).pageToken(token).build())
                    .items().size());
            assertEquals(Principal.user("alice"), first.list(ALICE, CredentialQuery.all()).items().get(0).owner());
        }
    }
}
