package com.adsconnect.devinfra.oauth;

import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.Map;

/**
 * What every provider sandbox's WireMock extension does alike: the operator's endpoints
 * ({@code POST /sandbox/faults} queues faults, {@code POST /sandbox/revoke-all} revokes every grant),
 * then the provider's own paths ({@link #answer}).
 */
public abstract class SandboxEndpoints implements ResponseDefinitionTransformerV2 {

    private final String name;
    private final SandboxFaults<?> faults;
    private final SandboxGrants<?> grants;

    protected SandboxEndpoints(String name, SandboxFaults<?> faults, SandboxGrants<?> grants) {
        this.name = name;
        this.faults = faults;
        this.grants = grants;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public final ResponseDefinition transform(ServeEvent serveEvent) {
        LoggedRequest request = serveEvent.getRequest();
        URI url = URI.create(request.getUrl());
        String method = request.getMethod().getName();
        if ("POST".equals(method) && "/sandbox/faults".equals(url.getPath())) {
            return faults.queueFromRequest(request.getBodyAsString());
        }
        if ("POST".equals(method) && "/sandbox/revoke-all".equals(url.getPath())) {
            grants.revokeAll();
            return StubResponses.json(200, Map.of("revoked", true));
        }
        return answer(method, url, request);
    }

    /** The provider's own paths. */
    protected abstract ResponseDefinition answer(String method, URI url, LoggedRequest request);
}
