package dev.credentials.benchmarks;

import dev.credentials.api.CredentialQuery;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code create} (validate, seal under a fresh data key, insert) and {@code list} (one page of 50 for a user who
 * owns half of 1,000 credentials and sees a tenth more through a group) on the in-memory store with a local KEK.
 * Run with the resolve benchmark: {@code mvn -q -B -DskipTests -Pbench-resolve -pl credentials-benchmarks -am package}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ManagerBenchmark {
    private static final TenantId TENANT = TenantId.of("bench");
    private static final Subject ALICE = Subject.user(TENANT, "alice");
    private static final Subject BOB = Subject.user(TENANT, "bob").withMemberships(Principal.group("devs"));

    private final Keyring keyring = Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate()));
    private CredentialManager listing;
    private CredentialManager creating;
    private int n;

    private CredentialManager manager() {
        return CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(keyring)
                .discoverProviders(false).type(new TestCredentialType()).build();
    }

    private static NewCredential request(int i) {
        return NewCredential.builder(TestCredentialType.ID).name("Credential " + i)
                .config("baseUrl", "https://api.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("token-" + i)).build();
    }

    @Setup
    public void fill() {
        listing = manager();
        for (int i = 0; i < 1_000; i++) {
            NewCredential r = request(i);
            if (i % 10 == 0) {
                r = NewCredential.builder(TestCredentialType.ID).name("Shared " + i)
                        .config("baseUrl", "https://api.example.com").config("username", "svc")
                        .secret("apiToken", Secret.of("t")).share(Share.use(Principal.group("devs"))).build();
            }
            listing.create(i % 2 == 0 ? ALICE : BOB, r);
        }
    }

    /** A fresh store each iteration, so creates do not pile up without bound. */
    @Setup(Level.Iteration)
    public void freshStore() {
        creating = manager();
    }

    @TearDown(Level.Iteration)
    public void closeStore() {
        creating.close();
    }

    @TearDown
    public void close() {
        listing.close();
    }

    @Benchmark
    public Object create() {
        return creating.create(ALICE, request(n++)).id();
    }

    @Benchmark
    public int listOnePage() {
        Page<?> page = listing.list(BOB, CredentialQuery.all());
        return page.items().size();
    }
}
