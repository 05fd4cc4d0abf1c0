package io.dbops.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Sql;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogIT {
  @TempDir Path dir;
  Database database;
  Sql sql;

  @BeforeEach
  void open() {
    database = new Database("jdbc:h2:file:" + dir.toAbsolutePath().resolve("cp"), null, null, dir);
    database.start();
    sql = new Sql(database.dataSource());
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void twoLogsOnOneTableAsTwoReplicasKeepOneUnbrokenChain() throws Exception {
    AuditLog a = new AuditLog(sql, Clock.systemUTC());
    AuditLog b = new AuditLog(sql, Clock.systemUTC());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> seqs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        AuditLog log = i % 2 == 0 ? a : b;
        int n = i;
        seqs.add(pool.submit(() -> log.append(new AuditEvent("tester", "test.append", "t" + n,
            "127.0.0.1", "ok", Map.of("n", Integer.toString(n))))));
      }
      List<Long> got = new ArrayList<>();
      for (Future<Long> f : seqs) {
        got.add(f.get());
      }
      assertThat(got).doesNotHaveDuplicates().hasSize(100);
    } finally {
      pool.shutdownNow();
    }
    AuditLog.Verification v = a.verify();
    assertThat(v.ok()).isTrue();
    assertThat(v.entries()).isEqualTo(100);
    assertThat(a.list(new AuditLog.Filter(null, "test.append", "t7", null, 10)))
        .singleElement().satisfies(e -> assertThat(e.details()).containsEntry("n", "7"));
  }

  @Test
  void anEntryWhoseDetailsWereEditedIsNamed() {
    AuditLog log = new AuditLog(sql, Clock.systemUTC());
    for (int i = 0; i < 3; i++) {
      log.append(AuditEvent.system("test", "t" + i, "ok", Map.of("k", "v")));
    }
    sql.update("UPDATE audit_log SET details = ? WHERE seq = 2", "{\"k\":\"changed\"}");
    AuditLog.Verification v = log.verify();
    assertThat(v.ok()).isFalse();
    assertThat(v.entries()).isEqualTo(3);
    assertThat(v.firstBad().seq()).isEqualTo(2);
  }
}
