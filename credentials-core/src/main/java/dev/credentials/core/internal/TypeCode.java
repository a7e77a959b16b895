package dev.credentials.core.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.spi.CredentialType;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a credential type's code so that nothing it throws can carry a secret out. */
public final class TypeCode {
    private static final Logger LOG = LoggerFactory.getLogger(TypeCode.class);

    private TypeCode() {}

    /**
     * Runs a credential type's code for credential {@code id}. Whatever it throws (even a
     * {@link dev.credentials.api.CredentialException}: it is the type's) becomes a {@link CredentialUseException}
     * that names the failure's class but keeps neither its message nor the exception, since either could quote a
     * secret value.
     */
    public static <T> T run(CredentialType type, CredentialId id, String what, Supplier<T> code) {
        try {
            return code.get();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            throw failure(type, id, what, e);
        }
    }

    /** The exception for type code that failed with {@code e}: its classes, never its messages. */
    public static CredentialUseException failure(CredentialType type, CredentialId id, String what, Throwable e) {
        StringBuilder classes = new StringBuilder(e.getClass().getName());
        int depth = 0;
        for (Throwable c = e.getCause(); c != null && c != e && depth < 8; c = c.getCause(), depth++) {
            classes.append(" caused by ").append(c.getClass().getName());
        }
        LOG.warn("Credential type {} failed to {} credential {}: {} (messages withheld: they may quote a value)",
                type.id(), what, id, classes);
        return new CredentialUseException("credential type " + type.id() + " failed to " + what + " credential " + id
                + " (" + classes + "). If a stored value cannot be sent, enter the credential's secrets again;"
                + " otherwise the credential type needs fixing.");
    }
}
