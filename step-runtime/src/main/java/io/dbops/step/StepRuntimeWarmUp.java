package io.dbops.step;

import io.dbops.proto.v1.DatabaseTarget;
import io.dbops.proto.v1.StepEvent;
import io.dbops.proto.v1.StepKind;
import io.dbops.proto.v1.StepRequest;
import io.dbops.proto.v1.StepRunnerGrpc;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.step.datasource.PoolCache;
import io.dbops.step.git.CloneRunner;
import io.dbops.step.liquibase.LiquibaseStepRunner;
import io.dbops.step.server.StepRunnerService;
import io.dbops.support.NamedThreadFactory;
import io.dbops.support.PodCredential;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import liquibase.Scope;
import liquibase.executor.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a warm step runtime does before its first binding: everything that needs no stage. It runs
 * real steps (APPLY, then STATUS, of a built-in 3-changeset changelog) through the real gRPC
 * service on a loopback port, with the pod credential check, against a throwaway in-memory H2
 * database, and loads the PostgreSQL and MariaDB drivers' connection classes. The first step of a
 * binding then finds Liquibase's service discovery done, its parser, update and status code loaded
 * and run once, and Netty's server and client loaded.
 *
 * <p>It leaves nothing behind that a binding could see: its runner, pools and caches are its own
 * and dropped (the H2 database disappears with its last connection), its changelog directory is
 * deleted, its server, channel and executor are shut down (gRPC's shared event loops end a second
 * after their last user, or serve the binding), and Liquibase's per-database executors are reset.
 * Nothing of it is keyed by a binding's target or credential. Not thread-safe; run once, before the
 * warm line.
 */
final class StepRuntimeWarmUp {
  private static final Logger log = LoggerFactory.getLogger(StepRuntimeWarmUp.class);
  private static final String CHANGELOG = "changelog.xml";
  /** Classes the first connection to a PostgreSQL or MariaDB target loads; absent ones are skipped. */
  private static final List<String> DRIVER_CLASSES = List.of(
      "org.postgresql.core.v3.ConnectionFactoryImpl", "org.postgresql.core.v3.QueryExecutorImpl",
      "org.postgresql.jdbc.PgConnection", "org.postgresql.jdbc.PgStatement",
      "org.postgresql.jdbc.PgPreparedStatement", "org.postgresql.jdbc.PgResultSet",
      "org.postgresql.jdbc.PgDatabaseMetaData", "org.postgresql.core.PGStream",
      "org.mariadb.jdbc.Connection", "org.mariadb.jdbc.client.impl.StandardClient");

  private final Path tempRoot;
  private final String databaseName;

  /** Under the system's temp directory, on an H2 database of a fresh random name. */
  StepRuntimeWarmUp() {
    this(Path.of(System.getProperty("java.io.tmpdir")), "dbops-warm-up-" + UUID.randomUUID());
  }

  StepRuntimeWarmUp(Path tempRoot, String databaseName) {
    this.tempRoot = tempRoot;
    this.databaseName = databaseName;
  }

  /** The warm-up of {@link StepRuntimeMain}: logs and goes on when a part fails (the binding then starts colder). */
  static void run() {
    new StepRuntimeWarmUp().warm();
  }

  /** The in-memory H2 database the warm-up's steps run on (gone once it returns). */
  String jdbcUrl() {
    return "jdbc:h2:mem:" + databaseName;
  }

  void warm() {
    long started = System.nanoTime();
    StepRuntime.quietLiquibaseLogging();
    try {
      loadDriverClasses();
      runSteps();
      log.info("Warmed up in {} ms (Liquibase on a throwaway in-memory H2 database, gRPC on loopback)",
          (System.nanoTime() - started) / 1_000_000);
    } catch (Exception | LinkageError e) { // a missing optional module must not stop the process
      log.warn("Warm-up incomplete ({}); the first step will start colder", e.toString());
    }
  }

  private static void loadDriverClasses() {
    ClassLoader loader = StepRuntimeWarmUp.class.getClassLoader();
    for (String name : DRIVER_CLASSES) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        log.debug("Warm-up: {} not loaded: {}", name, e.toString());
      }
    }
  }

  private void runSteps() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(tempRoot, "dbops-warm-up-");
    try {
      try (InputStream changelog = StepRuntimeWarmUp.class.getResourceAsStream("warmup/" + CHANGELOG)) {
        Files.copy(changelog, dir.resolve(CHANGELOG));
      }
      PodCredential credential = PodCredential.of(UUID.randomUUID().toString());
      ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(2), new NamedThreadFactory("step-warm-up", true), new ThreadPoolExecutor.AbortPolicy());
      StepRuntimeConfig config = StepRuntimeConfig.defaults(0);
      HealthStatusManager health = new HealthStatusManager();
      try (PoolCache pools = new PoolCache(1, config.connectionTimeout())) {
        LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC(), config);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .intercept(credential.serverInterceptor())
            .addService(new StepRunnerService(runner, new CloneRunner(Map.of()), executor, Clock.systemUTC()))
            .addService(health.getHealthService())
            .build()
            .start();
        ManagedChannel channel = NettyChannelBuilder.forAddress(InetAddress.getLoopbackAddress().getHostAddress(),
            server.getPort()).usePlaintext().build();
        try {
          HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          StepRunnerGrpc.StepRunnerBlockingStub stub = StepRunnerGrpc.newBlockingStub(channel)
              .withInterceptors(credential.clientInterceptor());
          for (StepKind kind : List.of(StepKind.STEP_KIND_APPLY, StepKind.STEP_KIND_STATUS, StepKind.STEP_KIND_APPLY)) {
            drain(stub.withDeadlineAfter(60, TimeUnit.SECONDS).execute(request(kind, dir)));
          }
        } finally {
          channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
          server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
          executor.shutdownNow();
          executor.awaitTermination(10, TimeUnit.SECONDS);
          runner.forgetCaches();
        }
      } finally {
        // Liquibase keeps an executor per Database object; the warm-up's must not stay reachable.
        Scope.getCurrentScope().getSingleton(ExecutorService.class).reset();
      }
    } finally {
      deleteTree(dir);
    }
  }

  private StepRequest request(StepKind kind, Path dir) {
    return StepRequest.newBuilder()
        .setStepId("warm-up-" + kind.name().toLowerCase(java.util.Locale.ROOT).replace("step_kind_", ""))
        .setKind(kind)
        .setChangelog(CHANGELOG)
        .setSearchPath(dir.toString())
        .setDatabase(DatabaseTarget.newBuilder().setJdbcUrl(jdbcUrl()).setUsername("sa"))
        .build();
  }

  private static void drain(Iterator<StepEvent> events) {
    while (events.hasNext()) {
      StepEvent event = events.next();
      if (event.hasResult() && !event.getResult().getError().isEmpty()) {
        throw new IllegalStateException("warm-up step failed: " + event.getResult().getError());
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the warm-up's directory " + dir, e);
    }
  }
}
