package dev.credentials.core.internal;

import java.util.Arrays;

/** A growable byte buffer that zeroes every array it lets go of. Not thread-safe. */
final class WipeableBuffer implements AutoCloseable {
    private byte[] buf;
    private int size;

    WipeableBuffer(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    void write(int b) {
        ensure(size + 1);
        buf[size++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
        ensure(size + len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    void writeInt(int v) {
        write(v >>> 24);
        write(v >>> 16);
        write(v >>> 8);
        write(v);
    }

    int size() {
        return size;
    }

    /** A copy of the contents; the caller wipes it. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int capacity) {
        if (capacity > buf.length) {
            byte[] bigger = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
            Arrays.fill(buf, (byte) 0);
            buf = bigger;
        }
    }

    @Override
    public void close() {
        Arrays.fill(buf, (byte) 0);
        size = 0;
    }
}
