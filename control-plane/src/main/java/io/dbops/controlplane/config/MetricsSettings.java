package io.dbops.controlplane.config;

/**
 * Where {@code GET /metrics} is served without a credential.
 *
 * @param port a separate metrics-only port ({@code DBOPS_METRICS_PORT}; null for none, 0 picks a
 *     free one), open to whoever reaches it
 * @param open true opens {@code /metrics} on the main port too ({@code DBOPS_METRICS_OPEN},
 *     default false: it needs a viewer token there)
 */
public record MetricsSettings(Integer port, boolean open) {
  public static final MetricsSettings DEFAULT = new MetricsSettings(null, false);
}
