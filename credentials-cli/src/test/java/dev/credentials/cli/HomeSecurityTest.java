package dev.credentials.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The home is trusted the way ssh trusts ~/.ssh, and nothing in its path reaches the database as a setting. */
class HomeSecurityTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    private static Result run(Path home, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of("--home", home.toString()), Stream.of(args)).toArray(String[]::new);
        int code = new Cli(new BufferedReader(new StringReader("")), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("KEY", "pat-0123456789abcdef"), null)
                .run(all);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void add(Path home) {
        Result r = run(home, "add", "--type", "atlassian-data-center-pat", "--name", "Jira", "--config",
                "baseUrl=https://jira.example.com", "--config", "product=jira", "--secret", "personalAccessToken=env:KEY");
        assertEquals(Cli.OK, r.code(), r.err());
    }

    private static void assertRefused(Result r, String... contains) {
        assertEquals(Cli.BAD_INPUT, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        for (String c : contains) {
            assertTrue(r.err().contains(c), "expected '" + c + "' in: " + r.err());
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aHomeOtherUsersCanEnterIsRefusedAndNothingIsCreatedInIt() throws IOException {
        Path home = Files.createDirectory(tmp.resolve("shared"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        assertRefused(run(home, "list"), home.toString(), "chmod 700 " + home);
        try (Stream<Path> s = Files.list(home)) {
            assertEquals(0, s.count(), "no keyset or database was created in an untrusted home");
        }
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx-w--w-"));
        assertRefused(run(home, "list"), "chmod 700 " + home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        assertEquals(Cli.OK, run(home, "list").code());
    }

    @Test
    void aKeysetOrDatabaseOthersCanReadOrWriteIsRefused() throws IOException {
        Path home = tmp.resolve("home");
        add(home);
        for (String file : List.of("keyset.json", "credentials.mv.db")) {
            Path f = home.resolve(file);
            for (String bad : List.of("rw-r--r--", "rw--w----", "rw-----w-")) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(bad));
                assertRefused(run(home, "list"), f.toString(), "chmod 600 " + f);
            }
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        }
        Path primary = home.resolve("primary-kek");
        Files.writeString(primary, "local-1\n");
        Files.setPosixFilePermissions(primary, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertRefused(run(home, "list"), "chmod 600 " + primary);
        Files.setPosixFilePermissions(primary, PosixFilePermissions.fromString("rw-------"));
        assertEquals(Cli.OK, run(home, "list").code());
    }

    @Test
    void aPlantedKeysetLinkIsRefused() throws IOException {
        Path home = tmp.resolve("home");
        add(home);
        Path planted = tmp.resolve("attacker-keyset.json");
        Files.copy(home.resolve("keyset.json"), planted);
        Files.createSymbolicLink(home.resolve("keyset-local-2.json"), planted);
        assertRefused(run(home, "list"), "keyset-local-2.json", "not a regular file");
    }

    @Test
    void aHomeOwnedBySomeoneElseIsRefused() throws IOException {
        Assumptions.assumeTrue(Files.getAttribute(tmp, "unix:uid").equals(0), "only root can give a directory away");
        Path home = tmp.resolve("home");
        add(home);
        Files.setAttribute(home, "unix:uid", 65534);
        assertRefused(run(home, "list"), home.toString(), "owned by uid 65534, not by you");
        Files.setAttribute(home, "unix:uid", 0);
        Files.setAttribute(home.resolve("keyset.json"), "unix:uid", 65534);
        assertRefused(run(home, "list"), "keyset.json", "owned by uid 65534");
    }

    @Test
    void everyFileTheCliCreatesIsOwnerOnly() throws IOException {
        Path home = tmp.resolve("new-home");
        add(home);
        assertEquals(Cli.OK, run(home, "keys", "rotate").code());
        assertEquals(Cli.OK, run(home, "config", "set", "allow-loopback", "true").code());
        assertEquals("rwx------", mode(home));
        try (Stream<Path> s = Files.list(home)) {
            for (Path f : s.toList()) {
                assertEquals("rw-------", mode(f), f.toString());
            }
        }
        assertTrue(Files.exists(home.resolve("credentials.mv.db")) && Files.exists(home.resolve("primary-kek")));
    }

    @Test
    void aHomePathCannotAddDatabaseSettings() throws IOException {
        String property = "credentials.test.injected";
        Path home = tmp.resolve("x;INIT=CREATE ALIAS PWN FOR 'java.lang.System.setProperty'\\;CALL PWN('" + property
                + "','yes')\\;--");
        assertRefused(run(home, "list"), "may not contain ';'");
        assertNull(System.getProperty(property), "the alias was created and called");
        assertFalse(Files.exists(tmp.resolve("x.mv.db")), "no database was opened at the truncated path");
    }
}
