package dev.credentials.api.internal;

import dev.credentials.api.spi.UrlPolicy;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The JDK-only default {@link UrlPolicy}. Immutable and thread-safe once built. Not public API. */
public final class DefaultUrlPolicy implements UrlPolicy {

    /** Mutable settings collected by {@link UrlPolicy.Builder}. */
    public static final class Settings {
        public boolean allowLoopback;
        public final List<Cidr> allowedBlocks = new ArrayList<>();
        public final Set<String> httpHosts = new HashSet<>();
        public final Set<Integer> ports = new HashSet<>();
        public UrlPolicy.Resolver resolver = InetAddress::getAllByName;

        public Settings copy() {
            Settings s = new Settings();
            s.allowLoopback = allowLoopback;
            s.allowedBlocks.addAll(allowedBlocks);
            s.httpHosts.addAll(httpHosts);
            s.ports.addAll(ports);
            s.resolver = resolver;
            return s;
        }
    }

    private static final List<Named> REFUSED = List.of(
            new Named("loopback", Cidr.parse("127.0.0.0/8")),
            new Named("loopback", Cidr.parse("::1/128")),
            new Named("unspecified", Cidr.parse("0.0.0.0/8")),
            new Named("unspecified", Cidr.parse("::/128")),
            new Named("link-local", Cidr.parse("169.254.0.0/16")),
            new Named("link-local", Cidr.parse("fe80::/10")),
            new Named("private", Cidr.parse("10.0.0.0/8")),
            new Named("private", Cidr.parse("172.16.0.0/12")),
            new Named("private", Cidr.parse("192.168.0.0/16")),
            new Named("private", Cidr.parse("fc00::/7")),
            new Named("carrier-grade NAT", Cidr.parse("100.64.0.0/10")),
            new Named("benchmarking", Cidr.parse("198.18.0.0/15")),
            new Named("reserved", Cidr.parse("240.0.0.0/4")),
            new Named("multicast", Cidr.parse("224.0.0.0/4")),
            new Named("multicast", Cidr.parse("ff00::/8")),
            // IPv6 transition and deprecated prefixes are refused whole, whatever IPv4 address they embed: they
            // lead to a local translator or relay (which may reach internal IPv4 networks), and no public API is
            // served only from them. Operators open one with allowPrivate(cidr).
            new Named("local-use NAT64", Cidr.parse("64:ff9b:1::/48")),
            new Named("6to4", Cidr.parse("2002::/16")),
            new Named("Teredo", Cidr.parse("2001::/32")),
            new Named("site-local", Cidr.parse("fec0::/10")),
            new Named("IPv4-translated", Cidr.parse("::ffff:0:0:0/96")));

    private static final Cidr LOOPBACK_V4 = Cidr.parse("127.0.0.0/8");
    private static final Cidr LOOPBACK_V6 = Cidr.parse("::1/128");
    private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");

    private final Settings settings;

    public DefaultUrlPolicy(Settings settings) {
        this.settings = settings;
    }

    @Override
    public Decision check(URI target) {
        if (target == null || !target.isAbsolute() || target.isOpaque()) {
            return Decision.refuse("the URL is not an absolute http(s) URL");
        }
        String host = target.getHost();
        if (host == null || host.isEmpty()) {
            return Decision.refuse("the URL has no host");
        }
        if (target.getRawUserInfo() != null) {
            return Decision.refuse("the URL for " + host + " carries user-info");
        }
        String scheme = target.getScheme().toLowerCase(Locale.ROOT);
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lowerHost = bareHost.toLowerCase(Locale.ROOT);
        int defaultPort;
        if (scheme.equals("https")) {
            defaultPort = 443;
        } else if (scheme.equals("http") && settings.httpHosts.contains(lowerHost)) {
            defaultPort = 80;
        } else if (scheme.equals("http")) {
            return Decision.refuse("plain http to " + host + " is not allowed; use https");
        } else {
            return Decision.refuse("the scheme of the URL for " + host + " is not allowed");
        }
        int port = target.getPort() == -1 ? defaultPort : target.getPort();
        if (port != defaultPort && !settings.ports.contains(port)) {
            return Decision.refuse("port " + port + " on " + host + " is not allowed");
        }
        InetAddress[] addresses;
        try {
            addresses = settings.resolver.resolve(bareHost);
        } catch (UnknownHostException e) {
            return Decision.unresolved("the host " + host + " could not be resolved");
        } catch (RuntimeException e) {
            return Decision.refuse("the host " + host + " is not a valid host name");
        }
        if (addresses == null || addresses.length == 0) {
            return Decision.unresolved("the host " + host + " has no address");
        }
        for (InetAddress a : addresses) {
            String refusal = refusal(a);
            if (refusal != null) {
                return Decision.refuse("the host " + host + " resolves to a " + refusal + " address");
            }
        }
        return Decision.allow();
    }

    private String refusal(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet6Address && raw.length == 16) {
            // Judge an IPv4 address carried inside IPv6 by its IPv4 value.
            if (MAPPED.contains(raw) || NAT64.contains(raw) || (COMPATIBLE.contains(raw) && !isZeroOrOne(raw))) {
                return refusal(Arrays.copyOfRange(raw, 12, 16));
            }
        }
        return refusal(raw);
    }

    private static boolean isZeroOrOne(byte[] raw) {
        for (int i = 0; i < 15; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[15] == 0 || raw[15] == 1;
    }

    private String refusal(byte[] raw) {
        for (Cidr allowed : settings.allowedBlocks) {
            if (allowed.contains(raw)) {
                return null;
            }
        }
        if (settings.allowLoopback && (LOOPBACK_V4.contains(raw) || LOOPBACK_V6.contains(raw))) {
            return null;
        }
        for (Named n : REFUSED) {
            if (n.block.contains(raw)) {
                return n.name;
            }
        }
        return null;
    }

    private record Named(String name, Cidr block) {}

    /** An address block. */
    public record Cidr(byte[] network, int prefix) {
        /** Parses {@code a.b.c.d/n} or {@code v6::/n}; a bare address means a single host. */
        public static Cidr parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP address block: " + text);
            }
            byte[] bytes;
            try {
                InetAddress a = InetAddress.getByName(addr); // a literal: no lookup happens
                bytes = a instanceof Inet4Address || addr.contains(":") ? a.getAddress() : null;
                if (addr.contains(":") && bytes.length == 4) {
                    // Java turns ::ffff:a.b.c.d into an IPv4 address; keep the 16-byte form for matching.
                    byte[] v6 = new byte[16];
                    v6[10] = (byte) 0xff;
                    v6[11] = (byte) 0xff;
                    System.arraycopy(bytes, 0, v6, 12, 4);
                    bytes = v6;
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address block: " + text, e);
            }
            int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("prefix out of range: " + text);
            }
            return new Cidr(bytes, prefix);
        }

        /** True when {@code address} (4 or 16 bytes) lies in this block. */
        public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                return "?/" + prefix;
            }
        }
    }
}
