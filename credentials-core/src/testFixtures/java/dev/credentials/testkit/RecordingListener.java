package dev.credentials.testkit;

import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event, for assertions. Thread-safe. */
public final class RecordingListener implements CredentialListener {
    private final List<CredentialEvent> events = new CopyOnWriteArrayList<>();

    /** A listener that has recorded nothing yet. */
    public RecordingListener() {}

    @Override
    public void onEvent(CredentialEvent event) {
        events.add(event);
    }

    /**
     * Every event so far, in delivery order.
     *
     * @return every event so far, in delivery order
     */
    public List<CredentialEvent> events() {
        return List.copyOf(events);
    }

    /**
     * The events of one kind, in delivery order.
     *
     * @param kind the kind
     * @param <T> the type of the value
     * @return the events of one kind, in delivery order
     */
    public <T extends CredentialEvent> List<T> events(Class<T> kind) {
        return events.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** Forgets every event. */
    public void clear() {
        events.clear();
    }
}
