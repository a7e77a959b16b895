package dev.credentials.spring;

import dev.credentials.core.CredentialManager;
import dev.credentials.core.VerificationScheduler;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the manager's {@link VerificationScheduler} while the application context runs
 * ({@code credentials.scheduler.enabled=true}). Several nodes on one store may all run it: each run claims the
 * credentials it checks. Thread-safe: start and stop are synchronized.
 */
public final class CredentialsSchedulerLifecycle implements SmartLifecycle {
    private final CredentialManager manager;
    private final CredentialsProperties.Scheduler settings;
    private VerificationScheduler running;

    /**
     * A lifecycle over {@code manager}'s scheduler with these settings; nothing runs before {@link #start()}.
     *
     * @param manager the manager
     * @param settings the settings
     */
    public CredentialsSchedulerLifecycle(CredentialManager manager, CredentialsProperties.Scheduler settings) {
        this.manager = manager;
        this.settings = settings;
    }

    @Override
    public synchronized void start() {
        if (running == null) {
            running = manager.scheduler()
                    .maxAge(settings.getMaxAge())
                    .failedMaxAge(settings.getFailedMaxAge())
                    .expiryLead(settings.getExpiryLead())
                    .start(settings.getPeriod());
        }
    }

    @Override
    public synchronized void stop() {
        if (running != null) {
            running.stop();
            running = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return running != null;
    }
}
