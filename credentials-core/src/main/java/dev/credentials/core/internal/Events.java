package dev.credentials.core.internal;

import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to the listener; a listener that throws (any exception, or an {@link Error} that is not
 * {@link Faults#fatal fatal}, such as an {@code AssertionError}) is logged and does not break the operation.
 */
public final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private final CredentialListener listener;

    public Events(CredentialListener listener) {
        this.listener = listener;
    }

    /**
     * Builds and delivers an event on the calling thread, only when there is a listener: the hot paths need not pay
     * for events nobody sees.
     */
    public void emit(java.util.function.Supplier<CredentialEvent> lazy) {
        if (listener == null) {
            return;
        }
        CredentialEvent event = lazy.get();
        try {
            listener.onEvent(event);
        } catch (Exception | Error e) {
            Faults.rethrowIfFatal(e);
            LOG.warn("Credential listener threw {} on a {} event for credential {}; the operation went ahead",
                    e.getClass().getName(), event.getClass().getSimpleName(), event.credentialId());
        }
    }
}
