package io.dbops.controlplane.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.catalog.CatalogException;
import io.dbops.controlplane.catalog.CatalogService;
import io.dbops.controlplane.catalog.Kind;
import io.dbops.controlplane.catalog.RunRequest;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link WebhookService.Pipelines} over the catalog: a webhook run goes through the same code path
 * as {@code POST /api/v1/pipelines/{name}/runs} ({@link CatalogService#run}), with origin source
 * {@code webhook}. A webhook is not limited to environments (an admin created it for its
 * pipeline); the environments it deploys to are those of the pipeline.
 */
public final class CatalogPipelines implements WebhookService.Pipelines {
  private final CatalogService catalog;

  public CatalogPipelines(CatalogService catalog) {
    this.catalog = catalog;
  }

  @Override
  public Set<String> declaredInputs(String pipeline) {
    try {
      JsonNode spec = catalog.get(Kind.PIPELINE, pipeline).spec();
      Set<String> names = new TreeSet<>();
      spec.path("inputs").forEach(i -> names.add(i.path("name").asText()));
      return names;
    } catch (CatalogException e) {
      if (e.reason() == CatalogException.Reason.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public String run(String pipeline, Map<String, String> inputs, String startedBy) {
    try {
      return catalog.run(new RunRequest(pipeline, null, inputs, startedBy, null, "webhook"),
          environments -> { }).executionId();
    } catch (CatalogException e) {
      throw switch (e.reason()) {
        case INVALID -> Refusal.invalid(e.getMessage(), e.problems());
        case NOT_FOUND -> Refusal.notFound(e.getMessage());
        case CONFLICT -> new Refusal(Refusal.Kind.CONFLICT, "conflict", e.getMessage(),
            e.problems());
      };
    }
  }
}
