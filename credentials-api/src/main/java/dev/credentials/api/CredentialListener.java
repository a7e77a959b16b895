package dev.credentials.api;

/**
 * Receives the manager's events, on the calling thread, after the store has committed, in order per credential,
 * at most once. A listener that throws is logged and does not break the operation. Events never hold a secret.
 */
@FunctionalInterface
public interface CredentialListener {
    /**
     * Called once per event; keep it quick, it runs on the caller's thread.
     *
     * @param event the event
     */
    void onEvent(CredentialEvent event);
}
