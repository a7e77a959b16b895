package dev.credentials.atlassian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The module path and the class path find the same providers, and only the public package is exported. */
class ModuleDescriptorTest {
    private static ModuleDescriptor descriptor() throws IOException, URISyntaxException {
        Module module = AtlassianCloudApiTokenType.class.getModule();
        if (module.isNamed()) {
            return module.getDescriptor();
        }
        Path classes = Path.of(AtlassianCloudApiTokenType.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.credentials.api.spi.CredentialType", "dev.credentials.api.spi.Verifier",
        "dev.credentials.api.spi.TokenRefresher", "dev.credentials.api.spi.ConnectionFlow"})
    void moduleInfoProvidesWhatMetaInfServicesLists(String service) throws Exception {
        List<String> listed;
        try (InputStream in = AtlassianCloudApiTokenType.class.getResourceAsStream("/META-INF/services/" + service)) {
            listed = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R"))
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
        List<String> provided = descriptor().provides().stream().filter(p -> p.service().equals(service))
                .flatMap(p -> p.providers().stream()).toList();
        assertFalse(listed.isEmpty());
        assertEquals(listed, provided);
    }

    @Test
    void onlyThePublicPackageIsExported() throws Exception {
        Set<String> exported = descriptor().exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertEquals(Set.of("dev.credentials.atlassian"), exported);
        assertEquals("dev.credentials.atlassian", descriptor().name());
    }
}
