package dev.credentials.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** For the tests' proxies over JDBC objects. */
final class Reflection {
    private Reflection() {}

    /** Calls {@code method} on {@code target}, throwing what the method threw rather than its reflective wrapper. */
    static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
