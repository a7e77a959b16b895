/**
 * The Credentials SDK's test kit: the in-memory store with test-only operations, test keys and clock, a stub verifier
 * and test type, the store and verifier contract suites, the JUnit 5 extension, and a log recorder.
 */
module dev.credentials.testkit {
    requires transitive dev.credentials.core;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    // RecordingSlf4jProvider is an SLF4JServiceProvider; chosen with -Dslf4j.provider, never discovered.
    requires transitive org.slf4j;
    requires jdk.httpserver;

    exports dev.credentials.testkit;
    exports dev.credentials.testkit.logging;
    // JUnit calls the contracts' package-private lifecycle methods and reads their nested groups reflectively.
    opens dev.credentials.testkit to org.junit.platform.commons;
}
