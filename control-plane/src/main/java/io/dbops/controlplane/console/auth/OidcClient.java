package io.dbops.controlplane.console.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.config.OidcSettings;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relying party of OIDC sign-in, on the Nimbus OAuth 2.0 / OIDC SDK: finds the provider
 * through discovery (on first use, then cached; retried on the next sign-in when it failed),
 * builds authorization requests with PKCE S256, state and nonce, redeems a code at the token
 * endpoint (client secret basic, or a public client) and validates the ID token: signature
 * against the provider's JWKS, issuer, audience, expiry and nonce. Every HTTP call has a
 * timeout. Failures are {@link Refusal}s whose messages hold no code, token or secret.
 * Thread-safe.
 */
final class OidcClient {
  private static final Logger log = LoggerFactory.getLogger(OidcClient.class);
  private static final int CONNECT_MILLIS = 5_000;
  private static final int READ_MILLIS = 10_000;
  /** Accepted difference between the provider's clock and ours when checking exp/iat. */
  private static final int CLOCK_SKEW_SECONDS = 60;

  private final OidcSettings settings;
  private volatile Provider provider;

  /** What the provider vouched for. */
  record Identity(String subject, String name, List<String> groups) {}

  private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

  OidcClient(OidcSettings settings) {
    this.settings = settings;
  }

  /** The provider's authorization endpoint with this sign-in's parameters. */
  URI authorizationUri(String state, String nonce, String verifier, URI redirect) {
    Provider p = provider();
    return new AuthenticationRequest.Builder(new ResponseType(ResponseType.Value.CODE),
        new Scope(settings.scopes().toArray(String[]::new)), new ClientID(settings.clientId()),
        redirect)
        .endpointURI(p.metadata().getAuthorizationEndpointURI())
        .state(new State(state))
        .nonce(new Nonce(nonce))
        .codeChallenge(new CodeVerifier(verifier), CodeChallengeMethod.S256)
        .build()
        .toURI();
  }

  /**
   * Redeems {@code code} and validates the ID token against {@code nonce}.
   *
   * @throws Refusal 401 when the provider refuses the code or the ID token is not valid, 503
   *     when the provider cannot be reached
   */
  Identity redeem(String code, String verifier, String nonce, URI redirect) {
    Provider p = provider();
    AuthorizationCodeGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), redirect,
        new CodeVerifier(verifier));
    ClientID clientId = new ClientID(settings.clientId());
    URI endpoint = p.metadata().getTokenEndpointURI();
    TokenRequest request = settings.clientSecret() == null
        ? new TokenRequest(endpoint, clientId, grant)
        : new TokenRequest(endpoint, new ClientSecretBasic(clientId,
            new Secret(settings.clientSecret())), grant);
    HTTPRequest http = request.toHTTPRequest();
    http.setConnectTimeout(CONNECT_MILLIS);
    http.setReadTimeout(READ_MILLIS);
    TokenResponse response;
    try {
      response = OIDCTokenResponseParser.parse(http.send());
    } catch (IOException e) {
      throw unavailable("its token endpoint " + endpoint + " did not answer ("
          + e.getClass().getSimpleName() + ")");
    } catch (ParseException e) {
      throw refused("its token endpoint " + endpoint + " answered something that is not an OIDC"
          + " token response");
    }
    if (!response.indicatesSuccess()) {
      ErrorObject error = response.toErrorResponse().getErrorObject();
      throw refused("the identity provider refused the authorization code ("
          + (error == null ? "no reason given" : error.getCode() + (error.getDescription() == null
              ? "" : ": " + error.getDescription())) + "); it is used already, expired or was"
          + " issued for another sign-in");
    }
    JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
    if (idToken == null) {
      throw refused("the token response holds no ID token (is 'openid' in DBOPS_OIDC_SCOPES?)");
    }
    IDTokenClaimsSet claims;
    try {
      claims = p.validator().validate(idToken, new Nonce(nonce));
    } catch (BadJOSEException | JOSEException e) {
      log.info("Refused an ID token from {}: {}", settings.issuer(), e.getMessage());
      throw refused("the ID token is not valid: " + why(e.getMessage()));
    }
    String subject = claims.getSubject().getValue();
    String name = firstText(claims, settings.nameClaim(), "preferred_username", "email");
    return new Identity(claims.getIssuer().getValue() + "|" + subject,
        name == null ? subject : name, groups(claims.getClaim(settings.groupsClaim())));
  }

  /** A safe reading of a Nimbus validation message (which may quote the presented values). */
  private String why(String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (m.contains("audience")) {
      return "it was issued for another client (its audience is not DBOPS_OIDC_CLIENT_ID '"
          + settings.clientId() + "')";
    }
    if (m.contains("nonce")) {
      return "its nonce does not match this sign-in (a replayed or foreign ID token)";
    }
    if (m.contains("issuer")) {
      return "it was issued by another issuer than DBOPS_OIDC_ISSUER " + settings.issuer();
    }
    if (m.contains("expired")) {
      return "it has expired (check the clocks of dbops and the identity provider)";
    }
    if (m.contains("signature") || m.contains("key") || m.contains("jws")) {
      return "its signature does not verify against the provider's published keys";
    }
    return "it failed validation";
  }

  private static String firstText(IDTokenClaimsSet claims, String... names) {
    for (String n : names) {
      Object v = n == null ? null : claims.getClaim(n);
      if (v instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    return null;
  }

  /** A groups claim: a JSON array of strings, or one string of names separated by commas or spaces. */
  static List<String> groups(Object claim) {
    List<String> groups = new ArrayList<>();
    if (claim instanceof Collection<?> c) {
      for (Object o : c) {
        if (o != null && !o.toString().isBlank()) {
          groups.add(o.toString().trim());
        }
      }
    } else if (claim instanceof String s) {
      for (String g : s.split("[,\\s]+")) {
        if (!g.isBlank()) {
          groups.add(g);
        }
      }
    }
    return List.copyOf(groups);
  }

  private Provider provider() {
    Provider p = provider;
    if (p != null) {
      return p;
    }
    synchronized (this) {
      if (provider == null) {
        provider = discover();
      }
      return provider;
    }
  }

  private Provider discover() {
    Issuer issuer = new Issuer(settings.issuer());
    OIDCProviderMetadata metadata;
    try {
      metadata = OIDCProviderMetadata.resolve(issuer, CONNECT_MILLIS, READ_MILLIS);
    } catch (IOException e) {
      throw unavailable("its discovery document " + settings.issuer()
          + "/.well-known/openid-configuration did not answer (" + e.getClass().getSimpleName()
          + ")");
    } catch (GeneralException e) {
      throw unavailable("its discovery document is not valid for issuer " + settings.issuer()
          + " (" + e.getMessage() + ")");
    }
    List<JWSAlgorithm> algs = metadata.getIDTokenJWSAlgs() == null ? List.of()
        : metadata.getIDTokenJWSAlgs();
    JWSAlgorithm alg = algs.contains(JWSAlgorithm.RS256) || algs.isEmpty() ? JWSAlgorithm.RS256
        : algs.get(0);
    try {
      IDTokenValidator validator = new IDTokenValidator(issuer, new ClientID(settings.clientId()),
          alg, metadata.getJWKSetURI().toURL(),
          new DefaultResourceRetriever(CONNECT_MILLIS, READ_MILLIS, 512 * 1024));
      validator.setMaxClockSkew(CLOCK_SKEW_SECONDS);
      log.info("OIDC provider {} discovered: authorization {}, token {}, ID tokens signed {}",
          settings.issuer(), metadata.getAuthorizationEndpointURI(),
          metadata.getTokenEndpointURI(), alg);
      return new Provider(metadata, validator);
    } catch (java.net.MalformedURLException | RuntimeException e) {
      throw unavailable("its discovery document names no usable jwks_uri");
    }
  }

  private Refusal unavailable(String what) {
    return new Refusal(Refusal.Kind.UNAVAILABLE, "oidc_unavailable", "The identity provider at"
        + " DBOPS_OIDC_ISSUER " + settings.issuer() + " cannot be used now: " + what
        + ". Try again, or sign in with an API token", List.of());
  }

  private static Refusal refused(String what) {
    return new Refusal(Refusal.Kind.UNAUTHENTICATED, "oidc_refused", "OIDC sign-in refused: "
        + what + ". Start again", List.of());
  }
}
