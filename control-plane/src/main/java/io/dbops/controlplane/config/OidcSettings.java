package io.dbops.controlplane.config;

import io.dbops.config.EnvReader;
import io.dbops.controlplane.identity.Role;
import io.dbops.support.Secrets;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Console sign-in with an OpenID Connect provider (docs/console-auth.md): authorization code with
 * PKCE, the provider found through {@code ISSUER/.well-known/openid-configuration}.
 *
 * @param issuer {@code DBOPS_OIDC_ISSUER}
 * @param clientId {@code DBOPS_OIDC_CLIENT_ID}
 * @param clientSecret from {@code DBOPS_OIDC_CLIENT_SECRET_FILE} or {@code
 *     DBOPS_OIDC_CLIENT_SECRET}; null for a public client (PKCE alone); never logged
 * @param redirectUrl {@code DBOPS_OIDC_REDIRECT_URL}; null means the public URL +
 *     {@code /console/oidc/callback}
 * @param scopes {@code DBOPS_OIDC_SCOPES} (default {@code openid profile email}); holds openid
 * @param groupsClaim the ID token claim holding the groups ({@code DBOPS_OIDC_GROUPS_CLAIM},
 *     default {@code groups})
 * @param nameClaim the claim naming the identity ({@code DBOPS_OIDC_NAME_CLAIM}, default
 *     {@code preferred_username}; then {@code email}, then the subject)
 * @param roleMap {@code DBOPS_OIDC_ROLE_MAP}: which group gets which role, optionally limited to
 *     environments; at least one entry
 */
public record OidcSettings(URI issuer, String clientId, String clientSecret, URI redirectUrl,
    List<String> scopes, String groupsClaim, String nameClaim, List<RoleMapping> roleMap) {

  public static final String DEFAULT_SCOPES = "openid profile email";

  /**
   * One entry of the role map: members of {@code group} get {@code role}, limited to
   * {@code environments} (empty: all).
   */
  public record RoleMapping(String group, Role role, List<String> environments) {
    public RoleMapping {
      environments = List.copyOf(environments);
    }

    /** Parses {@code group=role} or {@code group=role:env1|env2}. */
    static RoleMapping parse(String entry) {
      int eq = entry.lastIndexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new IllegalArgumentException("'" + entry + "' must be GROUP=ROLE or"
            + " GROUP=ROLE:ENV1|ENV2 (for example dba=approver,dev=deployer:dev|staging)");
      }
      String group = entry.substring(0, eq).trim();
      String rest = entry.substring(eq + 1).trim();
      String roleName = rest;
      List<String> envs = List.of();
      int colon = rest.indexOf(':');
      if (colon >= 0) {
        roleName = rest.substring(0, colon).trim();
        envs = java.util.Arrays.stream(rest.substring(colon + 1).split("\\|")).map(String::trim)
            .filter(e -> !e.isEmpty()).toList();
        if (envs.isEmpty()) {
          throw new IllegalArgumentException("'" + entry + "' names no environment after ':'");
        }
        for (String e : envs) {
          if (!e.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("'" + entry + "': '" + e + "' is not an environment"
                + " name (1-64 letters, digits, '.', '_' or '-')");
          }
        }
      }
      String name = roleName;
      Role role = Role.parse(name).orElseThrow(() -> new IllegalArgumentException("'" + entry
          + "': unknown role '" + name + "'; roles are viewer, deployer, approver, admin"));
      return new RoleMapping(group, role, envs);
    }

    @Override
    public String toString() {
      return group + "=" + role.id() + (environments.isEmpty() ? "" : ":"
          + String.join("|", environments));
    }
  }

  /** What the role map grants an identity with some groups. */
  public record Mapped(Set<Role> roles, List<String> environments) {}

  public OidcSettings {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(clientId, "clientId");
    scopes = List.copyOf(scopes);
    roleMap = List.copyOf(roleMap);
  }

  /**
   * The roles and environments of an identity in {@code groups}: every matching entry's role; the
   * identity is limited to the union of the matching entries' environments, and to none (all
   * environments) as soon as one matching entry names none. Empty when no entry matches.
   */
  public Optional<Mapped> map(Collection<String> groups) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Set<String> environments = new LinkedHashSet<>();
    boolean unlimited = false;
    for (RoleMapping m : roleMap) {
      if (groups.contains(m.group())) {
        roles.add(m.role());
        if (m.environments().isEmpty()) {
          unlimited = true;
        }
        environments.addAll(m.environments());
      }
    }
    if (roles.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Mapped(roles, unlimited ? List.of() : List.copyOf(environments)));
  }

  /**
   * Reads {@code DBOPS_OIDC_*}; null when {@code DBOPS_OIDC_ISSUER} is unset (and nothing else
   * of OIDC is set). Problems go to the reader.
   */
  public static OidcSettings fromEnvironment(EnvReader r) {
    List<String> set = new ArrayList<>(r.withPrefix("DBOPS_OIDC_").keySet());
    set.removeIf(name -> !r.isSet(name));
    if (!r.isSet("DBOPS_OIDC_ISSUER")) {
      if (!set.isEmpty()) {
        r.problem("DBOPS_OIDC_ISSUER is required when " + set + " is set (the OpenID provider's"
            + " issuer URL, for example https://idp.example.com/realms/dbops)");
      }
      return null;
    }
    URI issuer = r.uri("DBOPS_OIDC_ISSUER", null, Set.of("http", "https"));
    String clientId = r.string("DBOPS_OIDC_CLIENT_ID");
    r.require(clientId != null, "DBOPS_OIDC_CLIENT_ID is required with DBOPS_OIDC_ISSUER (the"
        + " client id registered for dbops at the identity provider)");
    String secret = null;
    Path secretFile = r.path("DBOPS_OIDC_CLIENT_SECRET_FILE", null);
    if (secretFile != null && r.isSet("DBOPS_OIDC_CLIENT_SECRET")) {
      r.problem("Set DBOPS_OIDC_CLIENT_SECRET_FILE or DBOPS_OIDC_CLIENT_SECRET, not both");
    } else if (secretFile != null) {
      try {
        secret = Files.readString(secretFile, StandardCharsets.UTF_8).trim();
        r.require(!secret.isEmpty(), "DBOPS_OIDC_CLIENT_SECRET_FILE " + secretFile + " is empty");
      } catch (IOException e) {
        r.problem("DBOPS_OIDC_CLIENT_SECRET_FILE " + secretFile + " cannot be read ("
            + e.getClass().getSimpleName() + "); it must hold the client secret");
      }
    } else {
      secret = r.raw("DBOPS_OIDC_CLIENT_SECRET");
      secret = secret == null ? null : secret.trim();
    }
    URI redirect = r.uri("DBOPS_OIDC_REDIRECT_URL", null, Set.of("http", "https"));
    List<String> scopes = List.of(r.string("DBOPS_OIDC_SCOPES", DEFAULT_SCOPES).split("[\\s,]+"));
    r.require(scopes.contains("openid"), "DBOPS_OIDC_SCOPES must include openid, not "
        + scopes);
    List<RoleMapping> roleMap = r.list("DBOPS_OIDC_ROLE_MAP", RoleMapping::parse);
    r.require(r.isSet("DBOPS_OIDC_ROLE_MAP"), "DBOPS_OIDC_ROLE_MAP is required with"
        + " DBOPS_OIDC_ISSUER: GROUP=ROLE entries, for example dba=approver,dev=deployer,all=viewer"
        + " (nobody could sign in without it)");
    if (issuer == null || clientId == null) {
      return null;
    }
    return new OidcSettings(issuer, clientId, secret, redirect, scopes,
        r.string("DBOPS_OIDC_GROUPS_CLAIM", "groups"),
        r.string("DBOPS_OIDC_NAME_CLAIM", "preferred_username"), roleMap);
  }

  @Override
  public String toString() {
    return "OidcSettings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret="
        + (clientSecret == null ? "none" : Secrets.MASK) + ", redirectUrl=" + redirectUrl
        + ", scopes=" + scopes + ", groupsClaim=" + groupsClaim + ", nameClaim=" + nameClaim
        + ", roleMap=" + roleMap + "]";
  }
}
