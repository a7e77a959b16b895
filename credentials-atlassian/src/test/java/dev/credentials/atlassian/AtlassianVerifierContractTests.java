package dev.credentials.atlassian;

import dev.credentials.integration.Endpoints;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.spi.Verifier;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.StubHttpServer.Request;
import dev.credentials.testkit.VerifierContract;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;

/** The testkit's verifier contract, for each Atlassian verifier. */
class AtlassianVerifierContractTests {

    @Nested
    class CloudApiToken extends VerifierContract {
        private final String token = Samples.token();

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AtlassianCloudApiTokenVerifier(Endpoints.via(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return Samples.cloud("confluence,jira", token);
        }

        @Override
        protected Function<Request, Answer> identity() {
            return Samples.cloudIdentity();
        }
    }

    @Nested
    class ScopedToken extends VerifierContract {
        private final String token = Samples.token();

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AtlassianCloudScopedTokenVerifier(Endpoints.via(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return Samples.scoped("confluence,jira", "bot@acme.example", Samples.CLOUD_ID, token);
        }

        @Override
        protected Function<Request, Answer> identity() {
            return Samples.cloudIdentity();
        }
    }

    @Nested
    class OAuth2 extends VerifierContract {
        private final String refresh = "refresh-" + Samples.token();
        private final String access = "access-" + Samples.token();

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AtlassianOAuth2Verifier(Endpoints.via(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return Samples.oauth("confluence,jira", refresh, access, Instant.now().plus(1, ChronoUnit.HOURS));
        }

        @Override
        protected Function<Request, Answer> identity() {
            return Samples.cloudIdentity();
        }
    }

    @Nested
    class DataCenterJira extends VerifierContract {
        private final String token = Samples.token();

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AtlassianDataCenterPatVerifier(Endpoints.via(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return Samples.dataCenter("https://jira.example.com/jira", "jira", token);
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> r.path().equals("/jira/rest/api/2/myself") ? Answer.json(200, Samples.JIRA_DC_ME) : Answer.status(404);
        }
    }

    @Nested
    class DataCenterConfluence extends VerifierContract {
        private final String token = Samples.token();

        @Override
        protected Verifier verifier(URI stubBase) {
            return new AtlassianDataCenterPatVerifier(Endpoints.via(stubBase));
        }

        @Override
        protected CredentialMaterial material() {
            return Samples.dataCenter("https://wiki.example.com", "confluence", token);
        }

        @Override
        protected Function<Request, Answer> identity() {
            return r -> r.path().equals("/rest/api/user/current") ? Answer.json(200, Samples.CONFLUENCE_DC_ME)
                    : Answer.status(404);
        }
    }
}
