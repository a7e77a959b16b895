package dev.credentials.testkit;

import dev.credentials.api.CredentialListener;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.Verifier;
import dev.credentials.core.CredentialManager;
import dev.credentials.core.CredentialManagerBuilder;
import dev.credentials.core.Keyring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands each test a ready {@link CredentialManager} over a fresh {@link InMemoryCredentialStore} (or a store of yours,
 * {@link #withStore(Supplier)}), with test keys, a {@link TestClock}, a {@link RecordingListener}, the
 * {@link TestCredentialType} and a {@link StubVerifier}, and closes it when the test ends. Tests declare what they need
 * as parameters:
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
 *
 * <p>To run the same tests over another store, register {@link #withStore(Supplier)}; the test then declares a
 * {@link CredentialStore} parameter to see it:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final CredentialManagerExtension MANAGER =
 *         CredentialManagerExtension.withStore(() -> JdbcCredentialStore.builder(dataSource).migrate(true).build());
 * }</pre>
 */
public final class CredentialManagerExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CredentialManagerExtension.class);

    private final List<CredentialType> types;
    private final List<Verifier> verifiers;
    private final Duration minVerifyInterval;
    private final Duration verificationTimeout;
    private final UrlPolicy urlPolicy;
    private final Consumer<CredentialManagerBuilder> customizer;
    private final Supplier<? extends CredentialStore> stores;

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
        this.stores = b.stores;
    }

    /**
     * Starts a customized extension, for {@code @RegisterExtension}.
     *
     * @return this builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The default setup over the stores {@code stores} makes: one per test, asked for when the test first needs the
     * manager or the store. The extension does not close them; the test owns what it supplies.
     *
     * @param stores makes one store per test
     * @return the extension
     */
    public static CredentialManagerExtension withStore(Supplier<? extends CredentialStore> stores) {
        return builder().store(stores).build();
    }

    /** Everything one test gets. */
    private static final class Fixture implements AutoCloseable {
        final CredentialStore store;
        final Keyring keyring = TestKeys.keyring();
        final TestClock clock = new TestClock();
        final RecordingListener listener = new RecordingListener();
        final StubVerifier verifier = new StubVerifier();
        CredentialManager manager;

        Fixture(CredentialStore store) {
            this.store = store;
        }

        @Override
        public void close() {
            if (manager != null) {
                manager.close();
            }
        }
    }

    private Fixture fixture(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent("fixture", k -> {
            CredentialStore store = stores.get();
            if (store == null) {
                throw new ParameterResolutionException("the store supplier of CredentialManagerExtension.withStore "
                        + "returned null");
            }
            Fixture f = new Fixture(store);
            CredentialManagerBuilder b = CredentialManager.builder()
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
        return t == CredentialManager.class || t == CredentialStore.class || t == InMemoryCredentialStore.class
                || t == StubVerifier.class
                || t == TestClock.class || t == RecordingListener.class || t == Keyring.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        Fixture f = fixture(extension);
        Class<?> t = parameter.getParameter().getType();
        if (t == CredentialManager.class) {
            return f.manager;
        } else if (t == CredentialStore.class) {
            return f.store;
        } else if (t == InMemoryCredentialStore.class) {
            if (!(f.store instanceof InMemoryCredentialStore)) {
                throw new ParameterResolutionException("the test asks for an InMemoryCredentialStore, but the "
                        + "extension runs over " + f.store.getClass().getName() + ": declare a CredentialStore instead");
            }
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
        private Consumer<CredentialManagerBuilder> customizer = b -> { };
        private Supplier<? extends CredentialStore> stores = InMemoryCredentialStore::new;

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
         * Where each test's store comes from; default a fresh {@link InMemoryCredentialStore}. The extension does not
         * close the stores.
         *
         * @param stores makes one store per test
         * @return this builder
         */
        public Builder store(Supplier<? extends CredentialStore> stores) {
            this.stores = Objects.requireNonNull(stores, "stores");
            return this;
        }

        /**
         * Any other setting of the manager's builder.
         *
         * @param customizer applied to each manager's builder before it is built
         * @return this builder
         */
        public Builder customize(Consumer<CredentialManagerBuilder> customizer) {
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
