package io.dbops.controlplane;

import io.dbops.controlplane.config.ControlPlaneConfig;
import io.dbops.pipeline.Database;
import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.Stage;
import io.dbops.pipeline.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Configs and pipelines shared by the tests. */
final class Fixtures {
  private Fixtures() {}

  static ControlPlaneConfig config(Path dataDir) {
    return builder(dataDir).build();
  }

  static ControlPlaneConfig.Builder builder(Path dataDir) {
    return ControlPlaneConfig.builder().port(0).dataDir(dataDir);
  }

  static Step step(String name, String type) {
    return new Step(name, type, "changelog.xml", "/work/changelogs", null, null,
        "tag".equals(type) ? "v1" : null, null, Map.of(), null);
  }

  static Pipeline pipeline(String name, Step... steps) {
    return new Pipeline(name, List.of(new Stage("dev",
        new Database("jdbc:h2:mem:orders", "sa", "env:ORDERS_DB_PASSWORD"), List.of(steps),
        List.of(), 0)));
  }
}
