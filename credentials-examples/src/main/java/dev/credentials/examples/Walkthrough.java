package dev.credentials.examples;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.VerificationResult;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.StubVerifier;
import dev.credentials.testkit.TestCredentialType;
import dev.credentials.testkit.TestKeys;
import java.io.PrintStream;
import java.util.stream.Collectors;

/**
 * The seed flow of the administration screen, on the in-memory store with a stub verifier: create, list, show,
 * verify, share with an agent, resolve as that agent's tool, be refused as another agent, edit, remove.
 */
public final class Walkthrough {
    private Walkthrough() {}

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs the walkthrough, printing to {@code out}. */
    public static void run(PrintStream out) {
        TenantId acme = TenantId.of("acme");
        Subject alice = Subject.user(acme, "alice");
        Principal researchAgent = Principal.agent("research-agent");
        StubVerifier verifier = new StubVerifier();

        try (CredentialManager manager = CredentialManager.builder()
                .store(new InMemoryCredentialStore())          // the JDBC store in production
                .keyring(TestKeys.keyring())                   // a local keyset or a KMS key in production
                .discoverProviders(false)
                .type(new TestCredentialType())                // integration modules add theirs by ServiceLoader
                .verifier(verifier)
                .listener(e -> out.println("    event: " + describe(e)))
                .build()) {

            step(out, "1. Alice adds a credential for the Jira data source");
            Credential jira = manager.create(alice, NewCredential.builder(TestCredentialType.ID)
                    .name("Jira (production)")
                    .config("baseUrl", "https://api.example.com")
                    .config("username", "svc-jira")
                    .secret("apiToken", Secret.of("example-token-4f7c2a9d"))
                    .build());
            out.println("    created " + jira.id() + ", status " + jira.status());

            step(out, "2. The list shows it and who it is shared with");
            printList(out, manager, alice);

            step(out, "3. Its configuration, secrets hidden");
            show(out, manager.get(alice, jira.id()));

            step(out, "4. Alice presses Verify");
            VerificationResult verified = manager.verify(alice, jira.id());
            out.println("    " + verified.outcome() + ": " + verified.message() + " -> status "
                    + manager.get(alice, jira.id()).status());

            step(out, "5. Alice shares it with the research agent (USE)");
            manager.share(alice, jira.id(), Share.use(researchAgent));
            printList(out, manager, alice);

            step(out, "6. A tool running for the research agent resolves it");
            Subject searchTool = Subject.tool(acme, "jira-search").withMemberships(researchAgent);
            try (CredentialMaterial material = manager.resolve(searchTool, jira.id())) {
                out.println("    the tool received " + material + " with an apiToken of "
                        + material.requireSecret("apiToken").length() + " characters");
            }

            step(out, "7. The same tool running for another agent is refused");
            Subject otherTool = Subject.tool(acme, "jira-search").withMemberships(Principal.agent("sales-agent"));
            try {
                manager.resolve(otherTool, jira.id());
                out.println("    UNEXPECTED: resolved");
            } catch (CredentialNotFoundException e) {
                out.println("    refused: " + e.getMessage() + " (it cannot even learn the credential exists)");
            }

            step(out, "8. Alice replaces the token; the status resets until it is verified again");
            Credential edited = manager.update(alice, jira.id(), manager.get(alice, jira.id()).version(),
                    CredentialUpdate.builder().secret("apiToken", Secret.of("example-token-rotated-81b3")).build());
            out.println("    version " + edited.version() + ", status " + edited.status());

            step(out, "9. Alice removes it");
            manager.delete(alice, jira.id());
            printList(out, manager, alice);
        }
        out.println();
        out.println("Walkthrough finished.");
    }

    private static void step(PrintStream out, String title) {
        out.println();
        out.println(title);
    }

    private static void printList(PrintStream out, CredentialManager manager, Subject subject) {
        var page = manager.list(subject, CredentialQuery.all());
        if (page.items().isEmpty()) {
            out.println("    (no credentials)");
        }
        for (Credential c : page.items()) {
            String shares = c.shares().isEmpty() ? "nobody else"
                    : c.shares().stream().map(s -> s.principal() + " (" + s.access() + ")").collect(Collectors.joining(", "));
            out.printf("    %-20s %-14s %-10s shared with %s%n", c.name(), c.typeId(), c.status(), shares);
        }
    }

    private static void show(PrintStream out, Credential c) {
        out.println("    name:   " + c.name());
        out.println("    type:   " + c.typeId());
        out.println("    owner:  " + c.owner());
        out.println("    status: " + c.status());
        c.config().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.println("    " + e.getKey() + ": " + e.getValue()));
        c.secretFields().stream().sorted().forEach(f -> out.println("    " + f + ": ••••••••"));
    }

    private static String describe(CredentialEvent e) {
        String kind = e.getClass().getSimpleName();
        return kind + " by " + e.actor() + " (version " + e.version() + ")";
    }
}
