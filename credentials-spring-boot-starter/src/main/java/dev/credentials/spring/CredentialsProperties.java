package dev.credentials.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code credentials.*} settings. Bound once at start-up; not thread-safe to change afterwards (Spring does not).
 */
@ConfigurationProperties("credentials")
public class CredentialsProperties {
    private final Store store = new Store();
    private final Keys keys = new Keys();
    private final UrlPolicySettings urlPolicy = new UrlPolicySettings();
    private final Verification verification = new Verification();
    private final Scheduler scheduler = new Scheduler();
    private final Health health = new Health();
    private final Web web = new Web();
    private final Sharing sharing = new Sharing();
    private final PageTokens pageTokens = new PageTokens();

    /**
     * The JDBC store over the application's {@code DataSource}.
     *
     * @return the JDBC store over the application's {@code DataSource}
     */
    public Store getStore() {
        return store;
    }

    /**
     * Where the key-encryption keys come from when the application defines no {@code Keyring} bean.
     *
     * @return where the key-encryption keys come from when the application defines no {@code Keyring} bean
     */
    public Keys getKeys() {
        return keys;
    }

    /**
     * Which hosts verifiers and {@code authenticate} may send secrets to.
     *
     * @return which hosts verifiers and {@code authenticate} may send secrets to
     */
    public UrlPolicySettings getUrlPolicy() {
        return urlPolicy;
    }

    /**
     * How verifications run.
     *
     * @return how verifications run
     */
    public Verification getVerification() {
        return verification;
    }

    /**
     * The background verification scheduler.
     *
     * @return the background verification scheduler
     */
    public Scheduler getScheduler() {
        return scheduler;
    }

    /**
     * The health indicator.
     *
     * @return the health indicator
     */
    public Health getHealth() {
        return health;
    }

    /**
     * The REST API behind the admin screen.
     *
     * @return the REST API behind the admin screen
     */
    public Web getWeb() {
        return web;
    }

    /**
     * Who may grant USE.
     *
     * @return who may grant USE
     */
    public Sharing getSharing() {
        return sharing;
    }

    /**
     * How page tokens of listings are authenticated.
     *
     * @return how page tokens of listings are authenticated
     */
    public PageTokens getPageTokens() {
        return pageTokens;
    }

    /** Sharing settings. */
    public static class Sharing {
        /**
         * Whether only a subject that holds USE may grant USE. When false (the default), a subject that holds MANAGE
         * but not USE may still grant USE, but never to itself or to a group or agent it stands for.
         */
        private boolean strict;

        /**
         * Whether only USE holders may grant USE.
         *
         * @return whether only USE holders may grant USE
         */
        public boolean isStrict() {
            return strict;
        }

        /**
         * Sets whether only USE holders may grant USE.
         *
         * @param strict the strict
         */
        public void setStrict(boolean strict) {
            this.strict = strict;
        }
    }

    /** Page-token settings. */
    public static class PageTokens {
        /**
         * Base64 of at least 32 random bytes that authenticate page tokens (for example the output of
         * {@code openssl rand -base64 32}). Give every node the same key, or a page token issued by one node is refused
         * by another. Unset: each node draws its own key, which suits a single node.
         */
        private String key;

        /**
         * The key, base64; null when unset.
         *
         * @return the key, base64; null when unset
         */
        public String getKey() {
            return key;
        }

        /**
         * Sets the key, base64.
         *
         * @param key the key
         */
        public void setKey(String key) {
            this.key = key;
        }
    }

    /** JDBC store settings. */
    public static class Store {
        /** Prefix of the store's table names. */
        private String tablePrefix = "cred_";

        /** Whether to create or upgrade the schema at start-up. Turn off to run migrations from a deployment step. */
        private boolean migrate = true;

        /**
         * The table prefix.
         *
         * @return the table prefix
         */
        public String getTablePrefix() {
            return tablePrefix;
        }

        /**
         * Sets the table prefix.
         *
         * @param tablePrefix the table prefix
         */
        public void setTablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
        }

        /**
         * Whether to migrate.
         *
         * @return the migrate
         */
        public boolean isMigrate() {
            return migrate;
        }

        /**
         * Sets the migrate.
         *
         * @param migrate the migrate
         */
        public void setMigrate(boolean migrate) {
            this.migrate = migrate;
        }
    }

    /** Key settings. */
    public static class Keys {
        /**
         * A local Tink keyset file, created on first use, for development only: it holds key material in the clear.
         * Refused when the "prod" profile is active; production defines a Keyring bean over a KMS key.
         */
        private Path localKeyset;

        /** The id recorded with every record sealed under the local keyset. */
        private String localKekId = "local-1";

        /**
         * The local keyset.
         *
         * @return the local keyset
         */
        public Path getLocalKeyset() {
            return localKeyset;
        }

        /**
         * Sets the local keyset.
         *
         * @param localKeyset the local keyset
         */
        public void setLocalKeyset(Path localKeyset) {
            this.localKeyset = localKeyset;
        }

        /**
         * The local kek id.
         *
         * @return the local kek id
         */
        public String getLocalKekId() {
            return localKekId;
        }

        /**
         * Sets the local kek id.
         *
         * @param localKekId the local kek id
         */
        public void setLocalKekId(String localKekId) {
            this.localKekId = localKekId;
        }
    }

    /** URL policy settings; the default allows https on port 443 to public addresses only. */
    public static class UrlPolicySettings {
        /** Allow loopback addresses (tests, a stub on this machine). */
        private boolean allowLoopback;

        /** Private address ranges to allow, in CIDR notation, e.g. 10.20.0.0/16 for a self-hosted server. */
        private List<String> allowPrivate = new ArrayList<>();

        /** Hosts that may be reached over plain http. */
        private List<String> allowHttp = new ArrayList<>();

        /** Ports to allow besides 443. */
        private List<Integer> allowPorts = new ArrayList<>();

        /**
         * Whether to allow loopback.
         *
         * @return the allow loopback
         */
        public boolean isAllowLoopback() {
            return allowLoopback;
        }

        /**
         * Sets the allow loopback.
         *
         * @param allowLoopback the allow loopback
         */
        public void setAllowLoopback(boolean allowLoopback) {
            this.allowLoopback = allowLoopback;
        }

        /**
         * The allow private.
         *
         * @return the allow private
         */
        public List<String> getAllowPrivate() {
            return allowPrivate;
        }

        /**
         * Sets the allow private.
         *
         * @param allowPrivate the allow private
         */
        public void setAllowPrivate(List<String> allowPrivate) {
            this.allowPrivate = allowPrivate;
        }

        /**
         * The allow http.
         *
         * @return the allow http
         */
        public List<String> getAllowHttp() {
            return allowHttp;
        }

        /**
         * Sets the allow http.
         *
         * @param allowHttp the allow http
         */
        public void setAllowHttp(List<String> allowHttp) {
            this.allowHttp = allowHttp;
        }

        /**
         * The allow ports.
         *
         * @return the allow ports
         */
        public List<Integer> getAllowPorts() {
            return allowPorts;
        }

        /**
         * Sets the allow ports.
         *
         * @param allowPorts the allow ports
         */
        public void setAllowPorts(List<Integer> allowPorts) {
            this.allowPorts = allowPorts;
        }

        boolean isDefault() {
            return !allowLoopback && allowPrivate.isEmpty() && allowHttp.isEmpty() && allowPorts.isEmpty();
        }
    }

    /** Verification settings. */
    public static class Verification {
        /** The longest one verification may take, every request included. */
        private Duration timeout = Duration.ofSeconds(10);

        /** A credential is checked against the third party at most once in this interval. */
        private Duration minInterval = Duration.ofSeconds(30);

        /** How many recorded results each credential keeps. */
        private int historySize = 20;

        /**
         * The timeout.
         *
         * @return the timeout
         */
        public Duration getTimeout() {
            return timeout;
        }

        /**
         * Sets the timeout.
         *
         * @param timeout the timeout
         */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        /**
         * The min interval.
         *
         * @return the min interval
         */
        public Duration getMinInterval() {
            return minInterval;
        }

        /**
         * Sets the min interval.
         *
         * @param minInterval the min interval
         */
        public void setMinInterval(Duration minInterval) {
            this.minInterval = minInterval;
        }

        /**
         * The history size.
         *
         * @return the history size
         */
        public int getHistorySize() {
            return historySize;
        }

        /**
         * Sets the history size.
         *
         * @param historySize the history size
         */
        public void setHistorySize(int historySize) {
            this.historySize = historySize;
        }
    }

    /** Scheduler settings. */
    public static class Scheduler {
        /** Whether to run the verification scheduler in this application. */
        private boolean enabled;

        /** How often the scheduler looks for credentials due for a check. */
        private Duration period = Duration.ofMinutes(5);

        /** A credential is rechecked when its last check is older than this. */
        private Duration maxAge = Duration.ofHours(24);

        /** A FAILED credential is rechecked when its last check is older than this. */
        private Duration failedMaxAge = Duration.ofHours(72);

        /** How far ahead of an entered expiry date an Expiring event comes. */
        private Duration expiryLead = Duration.ofDays(14);

        /**
         * Whether this is enabled.
         *
         * @return whether this is enabled
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether this is enabled.
         *
         * @param enabled whether this is enabled
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * The period.
         *
         * @return the period
         */
        public Duration getPeriod() {
            return period;
        }

        /**
         * Sets the period.
         *
         * @param period the period
         */
        public void setPeriod(Duration period) {
            this.period = period;
        }

        /**
         * The max age.
         *
         * @return the max age
         */
        public Duration getMaxAge() {
            return maxAge;
        }

        /**
         * Sets the max age.
         *
         * @param maxAge the max age
         */
        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }

        /**
         * The failed max age.
         *
         * @return the failed max age
         */
        public Duration getFailedMaxAge() {
            return failedMaxAge;
        }

        /**
         * Sets the failed max age.
         *
         * @param failedMaxAge the failed max age
         */
        public void setFailedMaxAge(Duration failedMaxAge) {
            this.failedMaxAge = failedMaxAge;
        }

        /**
         * The expiry lead.
         *
         * @return the expiry lead
         */
        public Duration getExpiryLead() {
            return expiryLead;
        }

        /**
         * Sets the expiry lead.
         *
         * @param expiryLead the expiry lead
         */
        public void setExpiryLead(Duration expiryLead) {
            this.expiryLead = expiryLead;
        }
    }

    /** Health indicator settings. */
    public static class Health {
        /** Whether to contribute the "credentials" health indicator. */
        private boolean enabled = true;

        /** A credential whose entered expiry date falls within this lead counts as soon-expiring. */
        private Duration expiryLead = Duration.ofDays(14);

        /**
         * Whether this is enabled.
         *
         * @return whether this is enabled
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether this is enabled.
         *
         * @param enabled whether this is enabled
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * The expiry lead.
         *
         * @return the expiry lead
         */
        public Duration getExpiryLead() {
            return expiryLead;
        }

        /**
         * Sets the expiry lead.
         *
         * @param expiryLead the expiry lead
         */
        public void setExpiryLead(Duration expiryLead) {
            this.expiryLead = expiryLead;
        }
    }

    /** REST API settings. */
    public static class Web {
        /** Whether to serve the REST API. Off by default: a platform opts in and provides a SubjectResolver. */
        private boolean enabled;

        /** Where the API lives. */
        private String basePath = "/api/credentials";

        /** The largest request body accepted, in bytes; larger bodies are answered 413 without being read. */
        private int maxBodyBytes = 65_536;

        /** The admin console. */
        private final Console console = new Console();

        /**
         * Whether this is enabled.
         *
         * @return whether this is enabled
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether this is enabled.
         *
         * @param enabled whether this is enabled
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * The base path.
         *
         * @return the base path
         */
        public String getBasePath() {
            return basePath;
        }

        /**
         * Sets the base path.
         *
         * @param basePath the base path
         */
        public void setBasePath(String basePath) {
            // The subject check is registered on this path: a path Spring reads differently (no leading '/', a
            // pattern) would leave the API without it, so anything but a plain absolute path stops start-up.
            if (basePath == null || !basePath.matches("(/[A-Za-z0-9._~-]+)+/?")) {
                throw new IllegalArgumentException("credentials.web.base-path must be a plain absolute path such as"
                        + " /api/credentials (letters, digits, '.', '_', '~', '-' between slashes)");
            }
            this.basePath = basePath;
        }

        /**
         * The max body bytes.
         *
         * @return the max body bytes
         */
        public int getMaxBodyBytes() {
            return maxBodyBytes;
        }

        /**
         * Sets the max body bytes.
         *
         * @param maxBodyBytes the max body bytes
         */
        public void setMaxBodyBytes(int maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
        }

        /**
         * The console.
         *
         * @return the console
         */
        public Console getConsole() {
            return console;
        }

        /** The admin console: static pages under {@code <base-path>/console/} that call only the REST API. */
        public static class Console {
            /**
             * Whether to serve the admin console. Off by default; needs {@code credentials.web.enabled=true}. Its pages
             * pass the same SubjectResolver as the API: without a caller they are answered 401.
             */
            private boolean enabled;

            /**
             * Whether this is enabled.
             *
             * @return whether this is enabled
             */
            public boolean isEnabled() {
                return enabled;
            }

            /**
             * Sets whether this is enabled.
             *
             * @param enabled whether this is enabled
             */
            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }
        }
    }
}
