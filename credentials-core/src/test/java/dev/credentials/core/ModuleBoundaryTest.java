package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.Aead;
import com.google.protobuf.MessageLite;
import dev.credentials.api.TenantId;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * A platform module on the module path (src/test/consumer) compiles against the exported packages and fails to compile
 * against an internal one: the module descriptors hold the boundary, not a naming convention.
 */
class ModuleBoundaryTest {
    private static final Path CONSUMERS = Path.of("src", "test", "consumer");

    @TempDir
    Path out;

    private record Compiled(boolean ok, List<String> errors) {}

    @Test
    void aConsumerModuleCompilesAgainstThePublicApi() throws Exception {
        Compiled c = compile("public-api");
        assertEquals(List.of(), c.errors());
        assertTrue(c.ok());
        assertTrue(Files.exists(out.resolve("com/example/consumer/UsesPublicApi.class")));
    }

    @Test
    void aConsumerModuleCannotCompileAgainstAnInternalPackage() throws Exception {
        Compiled c = compile("internal-api");
        assertFalse(c.ok(), "the internal packages must not be readable from another module");
        String all = String.join("\n", c.errors());
        assertTrue(all.contains("package dev.credentials.core.internal is declared in module dev.credentials.core, "
                + "which does not export it"), all);
        assertTrue(all.contains("package dev.credentials.api.internal is declared in module dev.credentials.api, "
                + "which does not export it to module com.example.consumer"), all);
    }

    private Compiled compile(String consumer) throws IOException, URISyntaxException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(CONSUMERS.resolve(consumer))) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "no consumer sources under " + CONSUMERS.resolve(consumer).toAbsolutePath());
        try (StandardJavaFileManager files =
                     javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            files.setLocation(StandardLocation.CLASS_PATH, List.of()); // not this JVM's: the module path alone
            List<String> options = List.of("--release", "17", "--module-path", modulePath(), "-d", out.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjectsFromPaths(sources)).call();
            List<String> errors = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> d.getMessage(Locale.ROOT)).toList();
            return new Compiled(ok, errors);
        }
    }

    /** The api and core as built (classes or jars, each with its module-info), and what core requires. */
    private static String modulePath() throws URISyntaxException {
        StringBuilder path = new StringBuilder();
        for (Class<?> c : List.of(TenantId.class, CredentialManager.class, Aead.class, MessageLite.class,
                Logger.class)) {
            if (path.length() > 0) {
                path.append(File.pathSeparator);
            }
            path.append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        return path.toString();
    }
}
