package dev.credentials.cli.internal;

import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.MaintenanceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A {@link CredentialStore} that tries an operation again, for a bounded time, while the embedded database changes
 * hands between CLI processes: when the process serving it ends, the others' connections break and the next process
 * to open it becomes its server, and for a moment neither answers. Every method of the store, present or future, is
 * forwarded unchanged otherwise, and the wrapper implements every capability interface the store does (such as
 * {@code MaintenanceStore} or {@code LeaseStore}), so the manager sees the same capabilities through it. A write whose acknowledgement was lost may be refused when tried again (the record
 * exists, or its revision moved); the command then reports that error and the operator checks with {@code list}.
 * Not public API.
 */
final class RetryingStore {
    /** How long one operation may wait for the database in all. */
    static final Duration BUDGET = Duration.ofSeconds(60);

    private RetryingStore() {}

    static CredentialStore around(CredentialStore target) {
        return (CredentialStore) Proxy.newProxyInstance(CredentialStore.class.getClassLoader(),
                capabilities(target.getClass()), (proxy, method, args) -> {
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

    /** {@link CredentialStore} and each of its sub-interfaces that {@code type} implements. */
    private static Class<?>[] capabilities(Class<?> type) {
        Set<Class<?>> found = new LinkedHashSet<>();
        found.add(CredentialStore.class);
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (CredentialStore.class.isAssignableFrom(i)) {
                    found.add(i);
                }
            }
        }
        return found.toArray(Class<?>[]::new);
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
