package com.example.consumer;

import dev.credentials.api.internal.Checks;
import dev.credentials.core.internal.Envelope;

/** Must not compile: neither internal package is exported to this module. */
public final class ReachesIn {
    private ReachesIn() {}

    /** Names both internal classes. */
    public static String names() {
        return Checks.class.getName() + Envelope.class.getName();
    }
}
