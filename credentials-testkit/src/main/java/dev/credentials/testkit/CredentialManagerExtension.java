package dev.credentials.testkit;

import dev.credentials.api.CredentialListener;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.Keyring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands each test a ready {@link CredentialManager} over a fresh {@link InMemoryCredentialStore}, with test keys, a
 * {@link TestClock}, a {@link RecordingListener}, the {@link TestCredentialType} and a {@link StubVerifier}, and closes
 * it when the test ends. Tests declare what they need as parameters:
 *
 * <pre>{@code
 * @ExtendWith(CredentialManagerExtension.class)
 * class MyTest {
 *     @Test
 *     void something(CredentialManager manager, StubVerifier verifier, TestClock clock) { ... }
 * }
 * }</pre>
 *
 * <p>Unlike the library's defaults, the minimum verify interval is zero and the URL policy allows loopback. Register
 * it with {@link #builder()} to change these or add types and verifiers. Provider discovery is off, so a test sees
 * exactly what it registered.
 */
public final class CredentialManagerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CredentialManagerExtension.class);

    private final List<CredentialType> types;
    private final List<Verifier> verifiers;
    private final Duration minVerifyInterval;
    private final Duration verificationTimeout;
    private final UrlPolicy urlPolicy;
    private final Consumer<CredentialManager.Builder> customizer;

    /** The default setup; used by {@code @ExtendWith}. */
    public CredentialManagerExtension() {
        this(builder());
    }

    private CredentialManagerExtension(Builder b) {
        this.types = List.copyOf(b.types);
        this.verifiers = List.copyOf(b.verifiers);
        this.minVerifyInterval = b.minVerifyInterval;
        this.verificationTimeout = b.verificationTimeout;
        this.urlPolicy = b.urlPolicy;
        this.customizer = b.customizer;
    }

    /**
     * Starts a customized extension, for {@code @RegisterExtension}.
     *
     * @return this builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Everything one test gets. */
    private static final class Fixture implements AutoCloseable {
        final InMemoryCredentialStore store = new InMemoryCredentialStore();
        final Keyring keyring = TestKeys.keyring();
        final TestClock clock = new TestClock();
        final RecordingListener listener = new RecordingListener();
        final StubVerifier verifier = new StubVerifier();
        CredentialManager manager;

        @Override
        public void close() {
            if (manager != null) {
                manager.close();
            }
        }
    }

    private Fixture fixture(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent("fixture", k -> {
            Fixture f = new Fixture();
            CredentialManager.Builder b = CredentialManager.builder()
                    .store(f.store).keyring(f.keyring).clock(f.clock).listener((CredentialListener) f.listener)
                    .minVerifyInterval(minVerifyInterval).verificationTimeout(verificationTimeout)
                    .urlPolicy(urlPolicy).discoverProviders(false)
                    .type(new TestCredentialType());
            if (verifiers.stream().noneMatch(v -> v.typeId().equals(TestCredentialType.ID))) {
                b.verifier(f.verifier);
            }
            types.forEach(b::type);
            verifiers.forEach(b::verifier);
            customizer.accept(b);
            f.manager = b.build();
            return f;
        }, Fixture.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        Class<?> t = parameter.getParameter().getType();
        return t == CredentialManager.class || t == InMemoryCredentialStore.class || t == StubVerifier.class
                || t == TestClock.class || t == RecordingListener.class || t == Keyring.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        Fixture f = fixture(extension);
        Class<?> t = parameter.getParameter().getType();
        if (t == CredentialManager.class) {
            return f.manager;
        } else if (t == InMemoryCredentialStore.class) {
            return f.store;
        } else if (t == StubVerifier.class) {
            return f.verifier;
        } else if (t == TestClock.class) {
            return f.clock;
        } else if (t == RecordingListener.class) {
            return f.listener;
        } else if (t == Keyring.class) {
            return f.keyring;
        }
        throw new ParameterResolutionException("cannot resolve " + t);
    }

    /** Configures a {@link CredentialManagerExtension}. Not thread-safe. */
    public static final class Builder {
        private final List<CredentialType> types = new ArrayList<>();
        private final List<Verifier> verifiers = new ArrayList<>();
        private Duration minVerifyInterval = Duration.ZERO;
        private Duration verificationTimeout = Duration.ofSeconds(5);
        private UrlPolicy urlPolicy = UrlPolicy.builder().allowLoopback().build();
        private Consumer<CredentialManager.Builder> customizer = b -> { };

        private Builder() {}

        /**
         * Registers a further type.
         *
         * @param type the type
         * @return this builder
         */
        public Builder type(CredentialType type) {
            types.add(type);
            return this;
        }

        /**
         * Registers a further verifier (one for {@link TestCredentialType} replaces the stub).
         *
         * @param verifier the verifier
         * @return this builder
         */
        public Builder verifier(Verifier verifier) {
            verifiers.add(verifier);
            return this;
        }

        /**
         * The minimum verify interval; default zero.
         *
         * @param d the d
         * @return the minimum verify interval; default zero
         */
        public Builder minVerifyInterval(Duration d) {
            this.minVerifyInterval = d;
            return this;
        }

        /**
         * The verification timeout; default 5 s.
         *
         * @param d the d
         * @return the verification timeout; default 5 s
         */
        public Builder verificationTimeout(Duration d) {
            this.verificationTimeout = d;
            return this;
        }

        /**
         * The URL policy; default the standard one plus loopback.
         *
         * @param policy the policy
         * @return the URL policy; default the standard one plus loopback
         */
        public Builder urlPolicy(UrlPolicy policy) {
            this.urlPolicy = policy;
            return this;
        }

        /**
         * Any other setting of the manager's builder.
         *
         * @param customizer the customizer
         * @return any other setting of the manager's builder
         */
        public Builder customize(Consumer<CredentialManager.Builder> customizer) {
            this.customizer = customizer;
            return this;
        }

        /**
         * Builds the extension.
         *
         * @return the extension
         */
        public CredentialManagerExtension build() {
            return new CredentialManagerExtension(this);
        }
    }
}
