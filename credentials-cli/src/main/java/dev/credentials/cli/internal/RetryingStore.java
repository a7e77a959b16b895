package dev.credentials.cli.internal;

import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.MaintenanceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A {@link CredentialStore} (with every optional capability the target has, such as {@link MaintenanceStore}) that tries an operation again, for a
 * bounded time, while the embedded database changes hands between CLI processes: when the process serving it ends, the
 * others' connections break and the next process to open it becomes its server, and for a moment neither answers.
 * Every method of the store, present or future, is
 * forwarded unchanged otherwise. A write whose acknowledgement was lost may be refused when tried again (the record
 * exists, or its revision moved); the command then reports that error and the operator checks with {@code list}.
 * Not public API.
 */
final class RetryingStore {
    /** How long one operation may wait for the database in all. */
    static final Duration BUDGET = Duration.ofSeconds(60);

    private RetryingStore() {}

    static CredentialStore around(CredentialStore target) {
        // Keeps every optional capability the target has (maintenance for keys and the scheduler, the audit trail),
        // so the manager still finds them through the wrapper.
        Class<?>[] faces = capabilities(target);
        return (CredentialStore) Proxy.newProxyInstance(CredentialStore.class.getClassLoader(),
                faces, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("equals") ? proxy == args[0]
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                : "RetryingStore[" + target + "]";
                    }
                    long deadline = System.nanoTime() + BUDGET.toNanos();
                    long pause = 20;
                    while (true) {
                        try {
                            return method.invoke(target, args);
                        } catch (InvocationTargetException e) {
                            Throwable cause = e.getCause();
                            if (!(cause instanceof CredentialStoreException failure) || !busy(failure)
                                    || System.nanoTime() + pause * 1_000_000 > deadline) {
                                throw cause;
                            }
                        }
                        try {
                            Thread.sleep(pause);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new CredentialStoreException("interrupted while waiting for the database", true);
                        }
                        pause = Math.min(1000, pause * 2);
                    }
                });
    }

    /** The interfaces the proxy implements: {@link CredentialStore} and each of its extensions the target has. */
    private static Class<?>[] capabilities(CredentialStore target) {
        java.util.Set<Class<?>> faces = new java.util.LinkedHashSet<>();
        faces.add(CredentialStore.class);
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> face : c.getInterfaces()) {
                if (CredentialStore.class.isAssignableFrom(face)) {
                    faces.add(face);
                }
            }
        }
        return faces.toArray(Class<?>[]::new);
    }

    /** Whether the failure is the database changing hands (or otherwise worth another try). */
    static boolean busy(CredentialStoreException e) {
        if (e.retryable()) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && Home.isHandOver(sql)) {
                return true;
            }
        }
        return false;
    }
}
