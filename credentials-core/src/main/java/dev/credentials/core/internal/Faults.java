package dev.credentials.core.internal;

/**
 * Which throwables the library survives. Code the library calls (listeners, verifiers) may throw anything; the
 * library logs and carries on after every exception and every {@link Error} except the {@link VirtualMachineError}s
 * that mean the JVM itself is failing (out of memory, an internal error), which it lets through. A
 * {@link StackOverflowError} is survived: once it has reached the library the stack has unwound.
 */
public final class Faults {
    private Faults() {}

    /** True when {@code t} means the JVM is failing and nothing should try to carry on. */
    public static boolean fatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    /** Rethrows {@code t} when it is {@link #fatal}; returns otherwise. */
    public static void rethrowIfFatal(Throwable t) {
        if (fatal(t)) {
            throw (VirtualMachineError) t;
        }
    }
}
