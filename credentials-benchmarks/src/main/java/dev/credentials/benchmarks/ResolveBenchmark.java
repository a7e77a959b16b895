package dev.credentials.benchmarks;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.CredentialManagerBuilder;
import dev.credentials.core.DataKeyCache;
import dev.credentials.core.Keyring;
import dev.credentials.core.LocalKeysets;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestCredentialType;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code resolve} on the in-memory store with a local KEK, with and without the data-key cache, beside a raw Tink
 * AES-256-GCM decrypt of a payload of the same size, in one run; prints each as a ratio to the raw decrypt.
 * Run with {@code mvn -q -B -DskipTests -Pbench-resolve -pl credentials-benchmarks -am package}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ResolveBenchmark {
    private static final Subject ALICE = Subject.user(TenantId.of("bench"), "alice");

    private CredentialManager plain;
    private CredentialManager cached;
    private CredentialManager unaudited;
    private CredentialId unauditedId;
    private CredentialId plainId;
    private CredentialId cachedId;
    private Aead raw;
    private byte[] rawCiphertext;
    private byte[] rawAssociatedData;

    @Setup
    public void setUp() throws Exception {
        AeadConfig.register();
        Keyring keyring = Keyring.of("local-1", LocalKeysets.aead(LocalKeysets.generate()));
        plain = manager(keyring, null);
        cached = manager(keyring, DataKeyCache.create(1_000, Duration.ofMinutes(5)));
        unaudited = CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(keyring)
                .discoverProviders(false).type(new TestCredentialType())
                .dataKeyCache(DataKeyCache.create(1_000, Duration.ofMinutes(5))).auditTrail(false).build();
        unauditedId = create(unaudited);
        plainId = create(plain);
        cachedId = create(cached);
        // The same plaintext the store seals, encrypted once with a ready AES-256-GCM primitive.
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        AesGcmKey aesKey = AesGcmKey.builder()
                .setParameters(AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12).setTagSizeBytes(16)
                        .setVariant(AesGcmParameters.Variant.NO_PREFIX).build())
                .setKeyBytes(SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())).build();
        raw = KeysetHandle.newBuilder().addEntry(KeysetHandle.importKey(aesKey).withRandomId().makePrimary()).build()
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
        rawAssociatedData = new byte[120];
        rawCiphertext = raw.encrypt(("{\"v\":1,\"s\":{\"apiToken\":\"" + "t".repeat(40) + "\"}}")
                .getBytes(StandardCharsets.UTF_8), rawAssociatedData);
    }

    private static CredentialManager manager(Keyring keyring, DataKeyCache cache) {
        CredentialManagerBuilder b = CredentialManager.builder().store(new InMemoryCredentialStore()).keyring(keyring)
                .discoverProviders(false).type(new TestCredentialType());
        if (cache != null) {
            b.dataKeyCache(cache);
        }
        return b.build();
    }

    private static CredentialId create(CredentialManager m) {
        return m.create(ALICE, NewCredential.builder(TestCredentialType.ID).name("bench")
                .config("baseUrl", "https://api.example.com").config("username", "svc")
                .secret("apiToken", Secret.of("t".repeat(40))).build()).id();
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        // What the audit writer kept up with: with the trail on, a dropped record cost its caller less than a written one.
        for (CredentialManager m : new CredentialManager[] {cached, plain}) {
            m.flushAudit(Duration.ofSeconds(30));
            System.out.printf("%n  audit trail (%s): %s%n", m == cached ? "with cache" : "without cache", m.auditStats());
        }
        plain.close();
        cached.close();
        unaudited.close();
    }

    @Benchmark
    public int rawAesGcmDecrypt() throws Exception {
        return raw.decrypt(rawCiphertext, rawAssociatedData).length;
    }

    @Benchmark
    public int resolveWithCache() {
        try (CredentialMaterial m = cached.resolve(ALICE, cachedId)) {
            return m.requireSecret("apiToken").length();
        }
    }

    /** As {@link #resolveWithCache}, with the audit trail off: what recording each use costs on the in-memory store. */
    @Benchmark
    public int resolveWithCacheNoAudit() {
        try (CredentialMaterial m = unaudited.resolve(ALICE, unauditedId)) {
            return m.requireSecret("apiToken").length();
        }
    }

    @Benchmark
    public int resolveWithoutCache() {
        try (CredentialMaterial m = plain.resolve(ALICE, plainId)) {
            return m.requireSecret("apiToken").length();
        }
    }

    /** Runs the three in one JVM fork and prints their ratios to the raw decrypt. */
    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(ResolveBenchmark.class.getName())
                .include(ManagerBenchmark.class.getName())
                .forks(1).warmupIterations(3).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .build()).run();
        Map<String, Double> score = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            score.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        double baseline = score.get("rawAesGcmDecrypt");
        System.out.println();
        System.out.println("throughput (ops/ms) and cost relative to a raw AES-GCM decrypt of the same payload:");
        score.forEach((name, ops) -> System.out.printf("  %-22s %10.1f ops/ms   %6.2fx the raw decrypt's time%n",
                name, ops, baseline / ops));
        System.out.println("(create seals under a fresh data key; listOnePage filters 1,000 credentials by visibility.)");
    }
}
