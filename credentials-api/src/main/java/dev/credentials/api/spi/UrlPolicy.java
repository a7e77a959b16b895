package dev.credentials.api.spi;

import dev.credentials.api.internal.DefaultUrlPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Decides whether a request carrying a secret may go to a URL. Checked before every outbound request of a verifier
 * and by {@code authenticate}.
 *
 * <p>{@link #standard()} allows https on port 443 to public addresses only, checking every address the host
 * resolves to. The HTTP client resolves the host again when it connects, so this check is best effort against DNS
 * rebinding; deployments that accept customer hosts should also route verifier traffic through an egress proxy with
 * the same rules. Implementations must be thread-safe.
 */
public interface UrlPolicy {
    /**
     * Checks {@code target}. Never throws for a bad URL: it is refused.
     *
     * @param target the target
     * @return whether the target is allowed, and why not
     */
    Decision check(URI target);

    /**
     * https, port 443, public addresses only.
     *
     * @return the standard policy
     */
    static UrlPolicy standard() {
        return builder().build();
    }

    /**
     * A builder starting from the standard rules.
     *
     * @return a builder starting from the standard rules
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * The result of a check.
     *
     * @param verdict allowed, refused, or the host could not be resolved
     * @param reason why, for a message; names the host but nothing secret; empty when allowed
     */
    record Decision(Verdict verdict, String reason) {
        /**
         * Checks the components; both are required.
         *
         * @param verdict allowed, refused, or the host could not be resolved
         * @param reason why, for a message; names the host but nothing secret; empty when allowed
         */
        public Decision {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(reason, "reason");
        }

        /**
         * An allowed target.
         *
         * @return an allowed target
         */
        public static Decision allow() {
            return new Decision(Verdict.ALLOWED, "");
        }

        /**
         * A refused target.
         *
         * @param reason the reason
         * @return a refused target
         */
        public static Decision refuse(String reason) {
            return new Decision(Verdict.REFUSED, reason);
        }

        /**
         * A host that did not resolve.
         *
         * @param reason the reason
         * @return a host that did not resolve
         */
        public static Decision unresolved(String reason) {
            return new Decision(Verdict.UNRESOLVED, reason);
        }

        /**
         * True when the request may be sent.
         *
         * @return true when the request may be sent
         */
        public boolean allowed() {
            return verdict == Verdict.ALLOWED;
        }
    }

    /** The kinds of decision. */
    enum Verdict {
        /** The request may be sent. */
        ALLOWED,
        /** The policy refuses the target. */
        REFUSED,
        /** The host has no address (or the resolver failed); the request cannot be sent. */
        UNRESOLVED
    }

    /** Resolves a host name to its addresses; tests substitute their own. */
    @FunctionalInterface
    interface Resolver {
        /**
         * All addresses of {@code host}.
         *
         * @param host the host
         * @return all addresses of {@code host}
         * @throws UnknownHostException when the host does not resolve
         */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * Builds a {@link UrlPolicy} from the standard rules plus what the operator opens. Refused unless opened:
     * loopback, 0.0.0.0/8, ::/128, link-local (169.254.0.0/16, fe80::/10), private (RFC 1918, fc00::/7), CGNAT
     * 100.64.0.0/10, 198.18.0.0/15, 240.0.0.0/4, multicast, and IPv4 addresses of those kinds inside ::ffff:0:0/96,
     * ::/96 and 64:ff9b::/96; and, whatever IPv4 address they embed, the IPv6 transition and deprecated prefixes
     * 64:ff9b:1::/48 (local-use NAT64), 2002::/16 (6to4), 2001::/32 (Teredo), fec0::/10 (site-local) and
     * ::ffff:0:0:0/96 (IPv4-translated). Not thread-safe; the built policy is.
     */
    final class Builder {
        private final DefaultUrlPolicy.Settings settings = new DefaultUrlPolicy.Settings();

        private Builder() {}

        /**
         * Allows loopback addresses (127.0.0.0/8, ::1), as tests and local tours need.
         *
         * @return this builder
         */
        public Builder allowLoopback() {
            settings.allowLoopback = true;
            return this;
        }

        /**
         * Allows addresses inside these CIDR blocks (e.g. {@code 10.20.0.0/16}) even though they are refused by default.
         *
         * @param cidrs the address ranges, such as {@code 10.0.0.0/8}
         * @return this builder
         */
        public Builder allowPrivate(String... cidrs) {
            for (String c : cidrs) {
                settings.allowedBlocks.add(DefaultUrlPolicy.Cidr.parse(c));
            }
            return this;
        }

        /**
         * Allows plain http to these host names (compared ignoring case).
         *
         * @param hosts the host names
         * @return this builder
         */
        public Builder allowHttp(String... hosts) {
            for (String h : hosts) {
                settings.httpHosts.add(h.toLowerCase(java.util.Locale.ROOT));
            }
            return this;
        }

        /**
         * Allows these ports besides 443 (and 80 for http hosts).
         *
         * @param ports the ports to allow
         * @return this builder
         */
        public Builder allowPort(int... ports) {
            for (int p : ports) {
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("port out of range: " + p);
                }
                settings.ports.add(p);
            }
            return this;
        }

        /**
         * Uses {@code resolver} instead of the system resolver.
         *
         * @param resolver how host names are resolved
         * @return this builder
         */
        public Builder resolver(Resolver resolver) {
            settings.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Builds the policy.
         *
         * @return the policy
         */
        public UrlPolicy build() {
            return new DefaultUrlPolicy(settings.copy());
        }
    }
}
