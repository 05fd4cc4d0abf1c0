package io.dbops.controlplane.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.protocol.TaskStatus;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one JDBC helper: transactions, retries on a lost race, one binder. */
class SqlTest {
  Sql sql;

  @BeforeEach
  void database() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:sqltest-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    sql = new Sql(ds);
    sql.update("CREATE TABLE t (id VARCHAR(20) PRIMARY KEY, status VARCHAR(20), body VARBINARY(100))");
  }

  @Test
  void commitsWhatTheWorkDidWhenItReturns() {
    int rows = sql.inTransaction(c -> Sql.update(c, "INSERT INTO t (id, status, body) VALUES (?, ?, ?)",
        "a", TaskStatus.QUEUED, new byte[] {1, 2}) + Sql.update(c, "INSERT INTO t (id) VALUES (?)", "b"));
    assertThat(rows).isEqualTo(2);
    assertThat(sql.queryOne("SELECT status FROM t WHERE id = ?", rs -> rs.getString(1), "a"))
        .as("an enum is stored by its name").contains("QUEUED");
    java.util.List<String> ids =
        sql.withConnection(c -> Sql.query(c, "SELECT id FROM t ORDER BY id", rs -> rs.getString(1), 0));
    assertThat(ids).containsExactly("a", "b");
  }

  @Test
  void rollsBackEverythingWhenTheWorkThrows() {
    assertThatThrownBy(() -> sql.inTransaction(c -> {
      Sql.update(c, "INSERT INTO t (id) VALUES (?)", "a");
      throw new IllegalStateException("refused halfway");
    })).hasMessage("refused halfway");
    assertThat(sql.query("SELECT id FROM t", rs -> rs.getString(1), 0)).isEmpty();
  }

  @Test
  void runsAgainAfterALostRaceUpToTheAttemptsAndThenReportsIt() {
    sql.update("INSERT INTO t (id) VALUES (?)", "taken");
    AtomicInteger runs = new AtomicInteger();
    String inserted = sql.inTransaction(3, c -> {
      String id = runs.incrementAndGet() == 1 ? "taken" : "free"; // the first run loses the race
      Sql.update(c, "INSERT INTO t (id) VALUES (?)", id);
      return id;
    });
    assertThat(inserted).isEqualTo("free");
    assertThat(runs).hasValue(2);

    runs.set(0);
    assertThatThrownBy(() -> sql.inTransaction(2, c -> {
      runs.incrementAndGet();
      return Sql.update(c, "INSERT INTO t (id) VALUES (?)", "taken");
    })).isInstanceOf(Sql.StoreException.class)
        .hasMessageStartingWith("Database transaction failed after 2 attempt(s): ");
    assertThat(runs).hasValue(2);

    runs.set(0);
    assertThatThrownBy(() -> sql.inTransaction(c -> {
      runs.incrementAndGet();
      return Sql.update(c, "INSERT INTO t (id) VALUES (?)", "taken");
    })).hasMessageStartingWith("Database transaction failed after 1 attempt(s): ");
    assertThat(runs).as("one attempt unless asked for more").hasValue(1);
  }
}
