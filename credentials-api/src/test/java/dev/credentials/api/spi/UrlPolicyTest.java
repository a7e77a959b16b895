package dev.credentials.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UrlPolicyTest {

    /** A policy whose resolver turns "h-<address>.test" into that literal address (x stands for a colon), so no DNS is used. */
    private static UrlPolicy.Builder fakeDns() {
        return UrlPolicy.builder().resolver(host -> {
            if (host.startsWith("h-") && host.endsWith(".test")) {
                String literal = host.substring(2, host.length() - 5).replace('x', ':');
                return new InetAddress[] {InetAddress.getByName(literal)};
            }
            if (host.equals("multi.test")) {
                return new InetAddress[] {InetAddress.getByName("203.0.113.7"), InetAddress.getByName("10.1.2.3")};
            }
            if (host.matches("[0-9a-fA-F.:]+")) {
                return new InetAddress[] {InetAddress.getByName(host)};
            }
            throw new UnknownHostException(host);
        });
    }

    private static UrlPolicy.Verdict check(UrlPolicy p, String url) {
        return p.check(URI.create(url)).verdict();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3", "169.254.169.254", "10.0.0.1", "172.16.5.5", "172.31.255.255",
        "192.168.1.1", "100.64.0.1", "100.127.255.255", "198.18.0.1", "198.19.255.255", "240.0.0.1", "255.255.255.255",
        "224.0.0.1", "239.1.1.1", "xx1", "xx", "fe80xx1", "febfxx1", "fc00xx1", "fd00xec2xx254", "ff02xx1",
        "xxffffx127.0.0.1", "xxffffx169.254.169.254", "64xff9bxx10.0.0.1", "64xff9bxxa9fexa9fe", "xx127.0.0.1"})
    void internalAddressesAreRefusedByDefault(String address) {
        UrlPolicy.Decision d = fakeDns().build().check(URI.create("https://h-" + address + ".test/x"));
        assertEquals(UrlPolicy.Verdict.REFUSED, d.verdict(), address);
        assertTrue(d.reason().contains("resolves to a"), "refused for the address, not something else: " + d.reason());
    }

    /**
     * IPv6 transition and deprecated prefixes: the policy refuses the whole prefix, whatever IPv4 address (public or
     * not) it embeds, because no public API is served only from them and each can reach an internal IPv4 network.
     */
    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({
        "64:ff9b:1::a00:1, local-use NAT64 64:ff9b:1::/48 with 10.0.0.1",
        "64:ff9b:1::808:808, local-use NAT64 64:ff9b:1::/48 with 8.8.8.8",
        "64:ff9b:1:ffff::1, local-use NAT64 64:ff9b:1::/48 upper end",
        "2002:a00:1::1, 6to4 2002::/16 with 10.0.0.1",
        "2002:7f00:1::1, 6to4 2002::/16 with 127.0.0.1",
        "2002:808:808::1, 6to4 2002::/16 with 8.8.8.8",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe, Teredo 2001::/32 with 10.0.0.1 obfuscated",
        "2001::1, Teredo 2001::/32",
        "2001:0:ffff:ffff:ffff:ffff:ffff:ffff, Teredo 2001::/32 upper end",
        "fec0::1, site-local fec0::/10",
        "feff:ffff::1, site-local fec0::/10 upper end",
        "::ffff:0:a00:1, IPv4-translated ::ffff:0:0:0/96 with 10.0.0.1",
        "::ffff:0:7f00:1, IPv4-translated ::ffff:0:0:0/96 with 127.0.0.1",
        "::ffff:0:808:808, IPv4-translated ::ffff:0:0:0/96 with 8.8.8.8",
    })
    void ipv6TransitionPrefixesAreRefused(String address, String what) {
        UrlPolicy.Decision d = fakeDns().build().check(URI.create("https://h-" + address.replace(':', 'x') + ".test/"));
        assertEquals(UrlPolicy.Verdict.REFUSED, d.verdict(), what);
        assertTrue(d.reason().contains("resolves to a"), d.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:db8::1", "2001:1::1", "2003::1", "64:ff9b:2::1", "fe00::1", "2606:4700::6810:84e5"})
    void addressesNextToThoseBlocksStayAllowed(String address) {
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(fakeDns().build(), "https://h-" + address.replace(':', 'x') + ".test/"),
                address);
    }

    @Test
    void anOperatorCanOpenATransitionPrefixLikeAnyOtherBlock() {
        UrlPolicy p = fakeDns().allowPrivate("2002:cb00:7107::/48").build();
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(p, "https://h-2002xcb00x7107xx1.test/"));
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "https://h-2002xa00x1xx1.test/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.7", "8.8.8.8", "100.128.0.1", "172.32.0.1", "198.20.0.1", "2001xdb8xx1",
        "64xff9bxx8.8.8.8", "xxffffx8.8.4.4"})
    void publicAddressesAreAllowed(String address) {
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(fakeDns().build(), "https://h-" + address + ".test/"), address);
    }

    @Test
    void everyAddressOfAHostMustPass() {
        UrlPolicy.Decision d = fakeDns().build().check(URI.create("https://multi.test/"));
        assertEquals(UrlPolicy.Verdict.REFUSED, d.verdict());
        assertTrue(d.reason().contains("private"), d.reason());
        assertTrue(d.reason().contains("multi.test"), d.reason());
    }

    @ParameterizedTest
    @CsvSource({
        "http://h-203.0.113.7.test/, REFUSED",
        "https://h-203.0.113.7.test:8443/, REFUSED",
        "https://h-203.0.113.7.test:443/, ALLOWED",
        "ftp://h-203.0.113.7.test/, REFUSED",
        "https://user:pw@h-203.0.113.7.test/, REFUSED",
        "https://unknown.test/, UNRESOLVED",
        "https://[::1]/, REFUSED",
        "https://127.0.0.1/, REFUSED",
    })
    void schemePortUserInfoAndResolutionAreChecked(String url, UrlPolicy.Verdict expected) {
        assertEquals(expected, check(fakeDns().build(), url), url);
    }

    @Test
    void relativeOrOpaqueUrlsAreRefused() {
        UrlPolicy p = fakeDns().build();
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "/relative"));
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "mailto:someone@example.com"));
        assertEquals(UrlPolicy.Verdict.REFUSED, p.check(null).verdict());
    }

    @Test
    void operatorsOpenWhatTheyNeed() {
        UrlPolicy p = fakeDns().allowLoopback().allowPrivate("10.20.0.0/16", "fd12::/16").allowHttp("h-10.20.1.1.test")
                .allowPort(8443).build();
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(p, "https://127.0.0.1:8443/"));
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(p, "https://[::1]/"));
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(p, "https://h-10.20.3.4.test/"));
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "https://h-10.21.0.1.test/"), "only the opened block");
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(p, "http://h-10.20.1.1.test/"));
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "http://h-10.20.1.2.test/"), "http only for the named host");
        assertEquals(UrlPolicy.Verdict.ALLOWED, check(p, "https://h-fd12xx5.test/"));
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "https://h-169.254.169.254.test/"), "link-local stays shut");
        assertEquals(UrlPolicy.Verdict.REFUSED, check(p, "https://127.0.0.1:9000/"), "only the opened port");
    }
}
