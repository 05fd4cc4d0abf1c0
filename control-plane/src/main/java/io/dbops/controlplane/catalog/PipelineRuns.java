package io.dbops.controlplane.catalog;

import io.dbops.controlplane.executions.ExecutionOrigin;
import io.dbops.controlplane.executions.ExecutionRoutes;
import io.dbops.controlplane.store.Sql;
import io.dbops.pipeline.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs of stored pipelines (inputs, then targets and environments resolved, then submitted with
 * their origin) and the resolution of ad-hoc pipelines that name stored targets or environments.
 * Thread-safe.
 */
final class PipelineRuns {
  private final Sql sql;
  private final CatalogStore store;
  private final StageResolver resolver;
  private final CatalogService.Submitter submitter;

  PipelineRuns(Sql sql, CatalogStore store, StageResolver resolver,
      CatalogService.Submitter submitter) {
    this.sql = sql;
    this.store = store;
    this.resolver = resolver;
    this.submitter = submitter;
  }

  CatalogService.RunResult run(RunRequest request, Consumer<List<String>> environmentGate) {
    String name = request.pipeline();
    CatalogStore.Version version = sql.withConnection(c -> {
      Integer number = request.version();
      if (number == null) {
        number = store.find(c, Kind.PIPELINE, name).map(CatalogStore.Row::version).orElse(null);
      }
      return number == null ? Optional.<CatalogStore.Version>empty()
          : store.version(c, name, number);
    }).orElseThrow(() -> request.version() == null ? CatalogException.notFound(Kind.PIPELINE, name)
        : new CatalogException(CatalogException.Reason.NOT_FOUND, "Pipeline '" + name
            + "' has no version " + request.version(), List.of()));
    StoredPipeline stored = CatalogService.parse(version.definition(), StoredPipeline.class);
    List<String> problems = new ArrayList<>();
    Map<String, String> values = Inputs.values(stored.inputs(), request.inputs(), problems);
    Pipeline resolved = problems.isEmpty()
        ? resolver.resolve(Inputs.substitute(stored.pipeline(), values), problems) : null;
    if (!problems.isEmpty()) {
      throw CatalogException.invalid("Cannot run pipeline '" + name + "' version "
          + version.version(), problems);
    }
    environmentGate.accept(ExecutionRoutes.environments(resolved));
    String id = submitter.submit(resolved, new ExecutionOrigin(request.startedBy(),
        request.tokenName(), request.source(), name, version.version(), values));
    return new CatalogService.RunResult(id, name, version.version());
  }

  Pipeline resolveAdHoc(Pipeline pipeline) {
    boolean names = pipeline.stages().stream()
        .anyMatch(s -> s != null && (s.target() != null || s.environment() != null || s.hasTargetGroup()));
    if (!names) {
      return pipeline;
    }
    List<String> problems = new ArrayList<>();
    Pipeline resolved = resolver.resolve(pipeline, problems);
    if (!problems.isEmpty()) {
      throw CatalogException.invalid("Invalid pipeline", problems);
    }
    return resolved;
  }
}
