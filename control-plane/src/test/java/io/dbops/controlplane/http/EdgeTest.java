package io.dbops.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.controlplane.identity.Verb;
import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

class EdgeTest {
  final Edge edge = new Edge(Javalin.create(), (ctx, route) -> null, event -> { });

  @Test
  void aRouteWithoutAnAccessRuleCannotBeRegistered() {
    assertThatThrownBy(() -> edge.get("/api/v1/new", null, ctx -> { }))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("GET /api/v1/new has no access rule");
    assertThatThrownBy(() -> edge.post("/api/v1/new", null, ctx -> { }))
        .hasMessage("POST /api/v1/new has no access rule");
    assertThatThrownBy(() -> edge.ws("/api/v1/ws", null, ctx -> { }, ws -> { }))
        .hasMessage("WS /api/v1/ws has no access rule");
    assertThat(edge.routes()).isEmpty();
  }

  @Test
  void listsEveryRouteWithItsRuleAndRefusesDuplicatesAndApiTokenWebSockets() {
    edge.get("/healthz", Access.open(), ctx -> { });
    edge.put("/api/v1/secrets/{name}", Access.verb(Verb.SECRETS), ctx -> { });
    assertThat(edge.routes()).extracting(RouteRule::toString).containsExactly(
        "GET /healthz [open]",
        "PUT /api/v1/secrets/{name} [API token: verb secrets (role admin)]");
    assertThat(edge.routes().get(1).mutating()).isTrue();
    assertThatThrownBy(() -> edge.get("/healthz", Access.open(), ctx -> { }))
        .hasMessageContaining("registered twice");
    assertThatThrownBy(() -> edge.ws("/ws", Access.verb(Verb.READ), ctx -> { }, ws -> { }))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
