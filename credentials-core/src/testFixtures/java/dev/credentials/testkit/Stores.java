package dev.credentials.testkit;

import dev.credentials.api.spi.CredentialStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Objects;

/** Views of stores for tests. */
public final class Stores {
    private Stores() {}

    /**
     * A view of {@code store} with the per-tenant methods of {@link CredentialStore} only, none of its optional
     * capabilities: to test code, or a contract, against a store that lacks them. Thread-safe as {@code store} is.
     *
     * @param store the store to wrap
     * @return a view with the per-tenant methods only
     */
    public static CredentialStore perTenantOnly(CredentialStore store) {
        Objects.requireNonNull(store, "store");
        return (CredentialStore) Proxy.newProxyInstance(CredentialStore.class.getClassLoader(),
                new Class<?>[] {CredentialStore.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "perTenantOnly(" + store.getClass().getName() + ")";
                        };
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
