package dev.credentials.core.internal;

import dev.credentials.api.Secret;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshed secrets the store could not take (it kept failing), kept in this node's memory for its next refresh of
 * the credential rather than dropped: the token endpoint may never accept the refresh token they replace again. At
 * most {@link #MAX} credentials; an entry is wiped when it is taken, replaced, pushed out (a WARN says so) or when the
 * manager closes. Thread-safe.
 */
final class KeptTokens {
    private static final Logger LOG = LoggerFactory.getLogger(KeptTokens.class);
    /** The most credentials whose refreshed secrets are kept at once. */
    static final int MAX = 256;

    /**
     * Copies of what one refresh spent and obtained.
     *
     * @param used the INTERNAL secrets the refresh spent
     * @param secrets the secrets it obtained, to be stored
     */
    record Kept(Map<String, char[]> used, Map<String, char[]> secrets) {
        void wipe() {
            Sealing.wipe(used);
            Sealing.wipe(secrets);
        }

        /** The secrets as {@link Secret}s; the caller closes them. */
        Map<String, Secret> asSecrets() {
            Map<String, Secret> out = new TreeMap<>();
            secrets.forEach((k, v) -> out.put(k, Secret.of(v)));
            return out;
        }
    }

    private final LinkedHashMap<Tokens.Key, Kept> kept = new LinkedHashMap<>();
    private boolean closed;

    /** Keeps copies of {@code used} and {@code secrets} for {@code key}, replacing (and wiping) what was kept. */
    void keep(Tokens.Key key, Map<String, char[]> used, Map<String, Secret> secrets) {
        Map<String, char[]> u = new TreeMap<>();
        used.forEach((k, v) -> u.put(k, v.clone()));
        Map<String, char[]> sec = new TreeMap<>();
        secrets.forEach((k, v) -> sec.put(k, v.revealChars()));
        Kept entry = new Kept(u, sec);
        synchronized (this) {
            if (closed) {
                entry.wipe();
                return;
            }
            Kept old = kept.remove(key);
            if (old != null) {
                old.wipe();
            }
            kept.put(key, entry);
            if (kept.size() > MAX) {
                Iterator<Map.Entry<Tokens.Key, Kept>> it = kept.entrySet().iterator();
                Map.Entry<Tokens.Key, Kept> eldest = it.next();
                it.remove();
                eldest.getValue().wipe();
                LOG.warn("More than {} credentials' refreshed tokens wait for the store; those of credential {} were"
                        + " dropped", MAX, eldest.getKey().id());
            }
        }
    }

    /** Removes and returns what was kept for {@code key}, or null; the caller wipes it. */
    synchronized Kept take(Tokens.Key key) {
        return kept.remove(key);
    }

    /** Wipes everything kept; nothing is kept afterwards. */
    synchronized void close() {
        closed = true;
        kept.values().forEach(Kept::wipe);
        kept.clear();
    }
}
