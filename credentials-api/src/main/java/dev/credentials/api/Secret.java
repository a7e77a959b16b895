package dev.credentials.api;

import java.nio.CharBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret value held as a {@code char[]} that can be wiped.
 *
 * <p>{@link #toString()} never shows the value; {@link #equals} compares in constant time for secrets of equal
 * length; {@link #close()} overwrites the characters, after which every read throws {@link IllegalStateException}.
 * The class has no bean getters, so a default Jackson {@code ObjectMapper} refuses to serialize it. Instances are
 * thread-safe: reads and {@code close} are synchronized, so a reader never sees a half-wiped value.
 */
public final class Secret implements AutoCloseable {
    private final char[] value;
    private boolean wiped;

    private Secret(char[] value) {
        this.value = value;
    }

    /**
     * A secret holding a copy of {@code value}. Prefer {@link #of(char[])} where the value arrives as chars.
     *
     * @param value the value
     * @return a secret holding a copy of {@code value}
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "secret value");
        return new Secret(value.toCharArray());
    }

    /**
     * A secret holding a copy of {@code value}; the caller may then wipe its own array.
     *
     * @param value the value
     * @return a secret holding a copy of {@code value}; the caller may then wipe its own array
     */
    public static Secret of(char[] value) {
        Objects.requireNonNull(value, "secret value");
        return new Secret(value.clone());
    }

    /**
     * A secret that takes ownership of {@code value} without copying: the array is wiped by {@link #close()}.
     * For code that has just decoded the value into a fresh array.
     *
     * @param value the value
     * @return a secret that takes ownership of {@code value} without copying: the array is wiped by {@link #close()}
     */
    public static Secret wrap(char[] value) {
        Objects.requireNonNull(value, "secret value");
        return new Secret(value);
    }

    /**
     * The value as a string. Strings cannot be wiped: call this as late as possible and keep the result local.
     *
     * @return the value as a string
     */
    public synchronized String reveal() {
        checkOpen();
        return new String(value);
    }

    /**
     * A copy of the value; the caller should wipe it with {@code Arrays.fill(chars, '\0')} when done.
     *
     * @return a copy of the value; the caller should wipe it with {@code Arrays.fill(chars, '\0')} when done
     */
    public synchronized char[] revealChars() {
        checkOpen();
        return value.clone();
    }

    /**
     * The value as a read-only view, valid until {@link #close()}; avoids a copy for encoders.
     *
     * @return the value as a read-only view, valid until {@link #close()}; avoids a copy for encoders
     */
    public synchronized CharSequence view() {
        checkOpen();
        return CharBuffer.wrap(value).asReadOnlyBuffer();
    }

    /**
     * The number of characters in the value.
     *
     * @return the number of characters in the value
     */
    public synchronized int length() {
        checkOpen();
        return value.length;
    }

    /**
     * True once {@link #close()} has wiped the value.
     *
     * @return true once {@link #close()} has wiped the value
     */
    public synchronized boolean wiped() {
        return wiped;
    }

    /** Overwrites the value. Idempotent. */
    @Override
    public synchronized void close() {
        Arrays.fill(value, '\0');
        wiped = true;
    }

    private void checkOpen() {
        if (wiped) {
            throw new IllegalStateException("this secret has been closed and its value wiped");
        }
    }

    /** Compares the values in time that depends only on their lengths. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Secret other)) {
            return false;
        }
        char[] a = revealChars();
        char[] b = other.revealChars();
        try {
            int diff = a.length ^ b.length;
            int n = Math.max(a.length, b.length);
            for (int i = 0; i < n; i++) {
                char x = i < a.length ? a[i] : 0;
                char y = i < b.length ? b[i] : 0;
                diff |= x ^ y;
            }
            return diff == 0;
        } finally {
            Arrays.fill(a, '\0');
            Arrays.fill(b, '\0');
        }
    }

    /** Constant, so that a hash never leaks anything about the value. */
    @Override
    public int hashCode() {
        return 0x5ec12e7;
    }

    /** Always {@code [redacted]}. */
    @Override
    public String toString() {
        return "[redacted]";
    }
}
