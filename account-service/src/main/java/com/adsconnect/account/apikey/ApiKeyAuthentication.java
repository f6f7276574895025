package com.adsconnect.account.apikey;

import java.util.Collection;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/** An internal caller authenticated by its service API key; the principal is the key's name. */
public final class ApiKeyAuthentication extends AbstractAuthenticationToken {

    private final String caller;

    ApiKeyAuthentication(String caller, Collection<? extends GrantedAuthority> scopes) {
        super(scopes);
        this.caller = caller;
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public String getPrincipal() {
        return caller;
    }
}
