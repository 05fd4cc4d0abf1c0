package io.dbops.cli.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.api.ExecutionView;
import io.dbops.api.LogPage;
import io.dbops.api.TokenCreated;
import io.dbops.pipeline.Pipeline;
import io.dbops.support.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * The CLI's client of the control plane's REST API ({@code docs/api.md}), with the API token of its
 * {@link ApiTarget}. Thread-safe. Owns its HTTP client; {@link #close()} releases it.
 */
public final class ControlPlaneClient implements AutoCloseable {
  private static final Duration LONG_POLL = Duration.ofSeconds(20);

  private final ApiHttp http;

  public ControlPlaneClient(ApiTarget target) {
    this.http = new ApiHttp(target, LONG_POLL.plusSeconds(15));
  }

  public TokenCreated createToken(String name) {
    return convert(http.post(http.url("api/v1/tokens"), Map.of("name", name)), TokenCreated.class);
  }

  public List<JsonNode> listTokens() {
    return convert(http.get(http.url("api/v1/tokens")), new TypeReference<List<JsonNode>>() {});
  }

  /** Submits a pipeline and returns the new execution's id. */
  public String submit(Pipeline pipeline) {
    return http.post(http.url("api/v1/executions"), pipeline).path("id").asText();
  }

  /** Resumes a PAUSED execution: {@code retry}, {@code rollback} or {@code abort}. */
  public JsonNode resume(String id, String action) {
    return http.post(http.url("api/v1/executions", id, "resume"), Map.of("action", action));
  }

  /** Retries a finished rollout's failed targets (and skipped ones unless {@code failedOnly}); the new id. */
  public String retry(String id, boolean failedOnly) {
    return http.post(http.url("api/v1/executions", id, "retry"), Map.of("failedOnly", failedOnly))
        .get("id").asText();
  }

  public ExecutionView execution(String id) {
    return convert(http.get(http.url("api/v1/executions", id)), ExecutionView.class);
  }

  public List<ExecutionView> executions(int limit) {
    HttpUrl url = http.url("api/v1/executions").newBuilder()
        .addQueryParameter("limit", Integer.toString(limit)).build();
    return convert(http.get(url), new TypeReference<List<ExecutionView>>() {});
  }

  /** Lines after {@code cursor}; waits up to the long-poll time when there are none yet. */
  public LogPage logs(String executionId, long after) {
    return logs(executionId, after, LONG_POLL.toMillis());
  }

  /** Lines after {@code cursor}, without waiting. */
  public LogPage logsNow(String executionId, long after) {
    return logs(executionId, after, 0);
  }

  private LogPage logs(String executionId, long after, long waitMillis) {
    HttpUrl url = http.url("api/v1/executions", executionId, "logs").newBuilder()
        .addQueryParameter("after", Long.toString(after))
        .addQueryParameter("waitMillis", Long.toString(waitMillis))
        .build();
    return convert(http.get(url), LogPage.class);
  }

  /** Asks the control plane to abort an execution: {@code POST /api/v1/executions/{id}/abort}. */
  public JsonNode abort(String executionId) {
    return http.post(http.url("api/v1/executions", executionId, "abort"), Map.of());
  }

  /** The delegates connected to the control plane: {@code GET /api/v1/delegates}. */
  public List<JsonNode> delegates() {
    return convert(http.get(http.url("api/v1/delegates")), new TypeReference<List<JsonNode>>() {});
  }

  /** Approves or rejects what an execution waits for: {@code POST /api/v1/executions/{id}/approvals}. */
  public io.dbops.api.ApprovalView decide(String executionId, boolean approve, String comment) {
    Map<String, Object> body = new java.util.HashMap<>();
    body.put("decision", approve ? "approve" : "reject");
    if (comment != null) {
      body.put("comment", comment);
    }
    return convert(http.post(http.url("api/v1/executions", executionId, "approvals"), body),
        io.dbops.api.ApprovalView.class);
  }

  /** The approvals waiting now; only those this token may approve when {@code mine}. */
  public List<io.dbops.api.ApprovalView> waitingApprovals(boolean mine) {
    HttpUrl url = http.url("api/v1/approvals").newBuilder()
        .addQueryParameter("mine", Boolean.toString(mine)).build();
    return convert(http.get(url), new TypeReference<List<io.dbops.api.ApprovalView>>() {});
  }

  /** Revokes a delegate token; connected delegates using it finish their work and claim no more. */
  public void revokeToken(String id) {
    http.delete(http.url("api/v1/tokens", id));
  }

  /** Who the API token belongs to: {@code GET /api/v1/whoami}. */
  public JsonNode whoami() {
    return http.get(http.url("api/v1/whoami"));
  }

  /** Creates an API token for a person or service account; the answer holds the token, shown once. */
  public JsonNode createAccessToken(Map<String, Object> request) {
    return http.post(http.url("api/v1/access/tokens"), request);
  }

  public JsonNode listAccessTokens() {
    return http.get(http.url("api/v1/access/tokens"));
  }

  public JsonNode revokeAccessToken(String id) {
    return http.delete(http.url("api/v1/access/tokens", id));
  }

  /** Audit entries, newest first; {@code filters} are query parameters (actor, action, target, since, limit). */
  public JsonNode audit(Map<String, String> filters) {
    HttpUrl.Builder url = http.url("api/v1/audit").newBuilder();
    filters.forEach((name, value) -> {
      if (value != null) {
        url.addQueryParameter(name, value);
      }
    });
    return http.get(url.build());
  }

  /** Recomputes the audit log's hash chain on the server. */
  public JsonNode verifyAudit() {
    return http.get(http.url("api/v1/audit/verify"));
  }

  public ApiTarget target() {
    return http.target();
  }

  public String baseUrl() {
    return http.target().base().toString();
  }

  @Override
  public void close() {
    http.close();
  }

  private static <T> T convert(JsonNode node, Class<T> type) {
    return Json.mapper().convertValue(node, type);
  }

  private static <T> T convert(JsonNode node, TypeReference<T> type) {
    return Json.mapper().convertValue(node, type);
  }
}
