package io.dbops.step.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.step.config.CommitDurability;
import io.dbops.step.config.StepRuntimeConfig;
import io.dbops.step.datasource.PoolCache;
import io.dbops.testsupport.TestDatabase;
import io.dbops.testsupport.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.DirectoryResourceAccessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL history row written together with its commit ({@link AtomicHistoryService},
 * {@link TransactionGate#commitWithHistory}): the same row plain Liquibase writes, commits that are
 * asynchronous only inside changeset transactions and only with {@code DBOPS_STEP_DURABILITY=step},
 * one synchronous write at the end of the step, and a pooled session left as it was. A trigger on
 * DATABASECHANGELOG records the {@code synchronous_commit} in force for every row written.
 */
class CommitDurabilityIT {
  @TempDir Path tmp;
  private final List<TestDatabase> databases = new ArrayList<>();
  private PoolCache pools;

  @BeforeEach
  void start() {
    pools = new PoolCache(1, Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() throws Exception {
    pools.close();
    for (TestDatabase db : databases) {
      db.close();
    }
  }

  private TestDatabase database() {
    TestDatabase db = TestDatabases.create(TestDatabases.Kind.POSTGRES);
    databases.add(db);
    return db;
  }

  private StepOutcome run(TestDatabase db, Path changelog, CommitDurability durability, String tag) {
    LiquibaseStepRunner runner = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC(),
        StepRuntimeConfig.DEFAULT_LOCK_TIMEOUT, durability);
    StepCommand command = new StepCommand("durability", StepCommand.Kind.APPLY, changelog.toString(), "",
        db.jdbcUrl(), db.username(), "", "", "", tag, 0, Map.of(), "");
    return runner.run(command, (level, text) -> {}, new StepControl());
  }

  private StepOutcome apply(TestDatabase db, Path changelog, CommitDurability durability, String tag) {
    StepOutcome outcome = run(db, changelog, durability, tag);
    assertThat(outcome.status()).as(outcome.error()).isEqualTo(StepOutcome.Status.SUCCEEDED);
    return outcome;
  }

  private static int tablesNamed(TestDatabase db, String prefix) throws Exception {
    return Integer.parseInt(rows(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '"
        + prefix + "%'").get(0));
  }

  /** "OP id synchronous_commit" of every history write the trigger saw, in order. */
  private static List<String> historyWrites(TestDatabase db) throws Exception {
    return rows(db, "SELECT op || ' ' || id || ' ' || setting FROM history_writes ORDER BY n");
  }

  /** A changelog whose history rows exercise every column: quotes, contexts, labels, comments, a tag. */
  private Path changelog() throws Exception {
    return Files.writeString(tmp.resolve("changelog.xml"), """
        <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
              http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
          <changeSet id="first" author="o'brien" context="dev or test" labels="core,v1">
            <comment>It's the first: "quoted", ünïcödé and 100% ; semicolons</comment>
            <createTable tableName="d_one"><column name="id" type="int"/></createTable>
          </changeSet>
          <changeSet id="second" author="dbops">
            <sql>INSERT INTO d_one (id) VALUES (1)</sql>
          </changeSet>
          <changeSet id="tagged" author="dbops">
            <tagDatabase tag="v1"/>
          </changeSet>
          <changeSet id="fourth" author="dbops" labels="  ">
            <createTable tableName="d_two" remarks="it's"><column name="id" type="int"/></createTable>
            <addColumn tableName="d_two"><column name="name" type="varchar(20)"/></addColumn>
          </changeSet>
        </databaseChangeLog>
        """);
  }

  @Test
  void writesTheHistoryRowsPlainLiquibaseWrites() throws Exception {
    Path changelog = changelog();
    TestDatabase dbops = database();
    TestDatabase plain = database();

    apply(dbops, changelog, CommitDurability.STEP, "");
    plainLiquibase(plain, changelog);

    String columns = "ID, AUTHOR, FILENAME, ORDEREXECUTED, EXECTYPE, MD5SUM, DESCRIPTION, COMMENTS, TAG, LIQUIBASE,"
        + " CONTEXTS, LABELS";
    // dbops writes a pre-start tag row first on an empty history; plain Liquibase does not.
    String where = " WHERE FILENAME = 'changelog.xml'";
    List<String> expected = rows(plain, "SELECT " + columns + " FROM databasechangelog" + where + " ORDER BY ORDEREXECUTED");
    List<String> actual = rows(dbops, "SELECT " + columns.replace("ORDEREXECUTED", "ORDEREXECUTED - 1")
        + " FROM databasechangelog" + where + " ORDER BY ORDEREXECUTED");
    assertThat(expected).hasSize(4);
    assertThat(actual).isEqualTo(expected);
    assertThat(rows(dbops, "SELECT COUNT(DISTINCT DEPLOYMENT_ID) FROM databasechangelog")).containsExactly("1");
  }

  @Test
  void changesetTransactionsCommitAsynchronouslyAndTheStepEndsDurable() throws Exception {
    TestDatabase db = database();
    Path first = sqlChangelog("one.sql", 1);
    apply(db, first, CommitDurability.STEP, "");
    recordSynchronousCommitOfHistoryWrites(db);

    apply(db, sqlChangelog("more.sql", 3), CommitDurability.STEP, "");

    // The pre-start tag (Liquibase's own UPDATE), the three history rows in asynchronous changeset
    // transactions, then one synchronous UPDATE of the last row (same values) making them durable.
    assertThat(historyWrites(db))
        .containsExactly("UPDATE 1 on", "INSERT 1 off", "INSERT 2 off", "INSERT 3 off", "UPDATE 3 on");
    assertThat(rows(db, "SELECT COUNT(*) FROM databasechangelog WHERE FILENAME = 'more.sql' AND EXECTYPE = 'EXECUTED'"))
        .containsExactly("3");
    assertThat(pooledSessionSetting(db)).isEqualTo("on");
  }

  @Test
  void aFailingChangesetStillLeavesTheOnesBeforeItDurable() throws Exception {
    TestDatabase db = databaseRecordingHistoryWrites();
    Path failing = Files.writeString(tmp.resolve("failing.sql"), """
        --liquibase formatted sql

        --changeset d:1
        CREATE TABLE f_1 (id INT);

        --changeset d:2
        CREATE TABLE f_2 (id INT);

        --changeset d:3
        INSERT INTO f_missing VALUES (1);
        """);

    StepOutcome outcome = run(db, failing, CommitDurability.STEP, "");

    assertThat(outcome.status()).isEqualTo(StepOutcome.Status.FAILED);
    assertThat(outcome.error()).startsWith("Changeset failing.sql::3::d failed: ").contains("f_missing");
    assertThat(historyWrites(db))
        .containsExactly("UPDATE 1 on", "INSERT 1 off", "INSERT 2 off", "UPDATE 2 on");
  }

  @Test
  void aHistoryRowThatCannotBeWrittenFailsItsChangesetWholeAndTheOnesBeforeStayDurable() throws Exception {
    TestDatabase db = databaseRecordingHistoryWrites();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("""
          CREATE FUNCTION refuse_second_row() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.id = '2' AND TG_OP = 'INSERT' THEN RAISE EXCEPTION 'history row 2 refused'; END IF;
            RETURN NEW;
          END $$""");
      s.execute("CREATE TRIGGER refuse_second_row BEFORE INSERT ON databasechangelog"
          + " FOR EACH ROW EXECUTE FUNCTION refuse_second_row()");
    }

    StepOutcome outcome = run(db, sqlChangelog("refused.sql", 3), CommitDurability.STEP, "");

    // The INSERT fails inside changeset 2's transaction, which PostgreSQL then refuses to go on
    // with: rolled back (its table too), and changeset 1 still made durable after it.
    assertThat(outcome.status()).isEqualTo(StepOutcome.Status.FAILED);
    assertThat(outcome.error()).contains("history row 2 refused").doesNotContain("durable");
    assertThat(historyWrites(db)).containsExactly("UPDATE 1 on", "INSERT 1 off", "UPDATE 1 on");
    assertThat(tablesNamed(db, "refused_")).isEqualTo(1);
  }

  @Test
  void aLaterSynchronousHistoryWriteMakesTheConfirmationUnnecessary() throws Exception {
    TestDatabase db = databaseRecordingHistoryWrites();
    Path mixed = Files.writeString(tmp.resolve("mixed.sql"), """
        --liquibase formatted sql

        --changeset d:1
        CREATE TABLE m_1 (id INT);

        --changeset d:2 runInTransaction:false
        CREATE TABLE m_2 (id INT);
        """);

    apply(db, mixed, CommitDurability.STEP, "");

    // Changeset 2 keeps Liquibase's path (auto-commit, its row committed the waiting way): that
    // flush covers changeset 1 too, so no confirming UPDATE follows.
    assertThat(historyWrites(db)).containsExactly("UPDATE 1 on", "INSERT 1 off", "INSERT 2 on");
  }

  @Test
  void aConfirmationThatWritesNothingFailsTheStepSayingSo() throws Exception {
    TestDatabase db = databaseRecordingHistoryWrites();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      // Swallows the confirming UPDATE of row 2 (a BEFORE trigger returning NULL skips the row).
      s.execute("""
          CREATE FUNCTION skip_row_2_updates() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.id = '2' THEN RETURN NULL; END IF;
            RETURN NEW;
          END $$""");
      s.execute("CREATE TRIGGER skip_row_2_updates BEFORE UPDATE ON databasechangelog"
          + " FOR EACH ROW EXECUTE FUNCTION skip_row_2_updates()");
    }

    StepOutcome outcome = run(db, sqlChangelog("two.sql", 2), CommitDurability.STEP, "");

    assertThat(outcome.status()).isEqualTo(StepOutcome.Status.FAILED);
    assertThat(outcome.error()).startsWith("PostgreSQL could not confirm that the changesets this step committed"
        + " are durable (").contains("history row of the last changeset committed is gone")
        .endsWith("run status to see what the database kept.");
    assertThat(outcome.changesets()).extracting(ChangeSetOutcome::state).containsExactly("EXECUTED", "EXECUTED");
  }

  @Test
  void previewWritesNoHistoryRow() throws Exception {
    TestDatabase db = database();
    apply(db, sqlChangelog("one.sql", 1), CommitDurability.STEP, "");
    List<String> historyBefore = rows(db, "SELECT ID FROM databasechangelog ORDER BY ORDEREXECUTED");
    Path more = sqlChangelog("more.sql", 2);

    StepOutcome preview = new LiquibaseStepRunner(pools, Map.of(), Clock.systemUTC())
        .run(new StepCommand("durability", StepCommand.Kind.PREVIEW, more.toString(), "", db.jdbcUrl(),
            db.username(), "", "", "", "", 0, Map.of(), ""), (level, text) -> {}, new StepControl());

    // Liquibase renders the history INSERT as SQL text in a preview; none may reach the database.
    assertThat(preview.status()).as(preview.error()).isEqualTo(StepOutcome.Status.SUCCEEDED);
    assertThat(preview.outputs().get("sql")).contains("CREATE TABLE more_1").contains("INSERT INTO public.databasechangelog");
    assertThat(rows(db, "SELECT ID FROM databasechangelog ORDER BY ORDEREXECUTED")).isEqualTo(historyBefore);
    assertThat(tablesNamed(db, "more_")).isZero();
  }

  @Test
  void changesetDurabilityCommitsEveryChangesetSynchronously() throws Exception {
    TestDatabase db = databaseRecordingHistoryWrites();

    apply(db, sqlChangelog("more.sql", 3), CommitDurability.CHANGESET, "");

    assertThat(historyWrites(db))
        .containsExactly("UPDATE 1 on", "INSERT 1 on", "INSERT 2 on", "INSERT 3 on");
  }

  @Test
  void aPostTagLandsOnTheLastRowWrittenInTheSameStep() throws Exception {
    TestDatabase db = database();

    apply(db, sqlChangelog("tagged.sql", 3), CommitDurability.STEP, "release-1");

    // The tag is Liquibase's UPDATE of the last row it knows of: its in-memory history must hold
    // the rows written with the commits.
    assertThat(rows(db, "SELECT ID FROM databasechangelog WHERE TAG = 'release-1'")).containsExactly("3");
  }

  private Path sqlChangelog(String name, int changesets) throws Exception {
    StringBuilder sb = new StringBuilder("--liquibase formatted sql\n\n");
    for (int i = 1; i <= changesets; i++) {
      sb.append("--changeset d:").append(i).append('\n')
          .append("CREATE TABLE ").append(name.replace(".sql", "")).append('_').append(i).append(" (id INT);\n\n");
    }
    return Files.writeString(tmp.resolve(name), sb);
  }

  /**
   * A database with changeset 1 applied (so DATABASECHANGELOG exists; the next apply's pre-start tag
   * is an UPDATE of its row) and a trigger recording every later history write: see {@link
   * #historyWrites}.
   */
  private TestDatabase databaseRecordingHistoryWrites() throws Exception {
    TestDatabase db = database();
    apply(db, sqlChangelog("one.sql", 1), CommitDurability.STEP, "");
    recordSynchronousCommitOfHistoryWrites(db);
    return db;
  }

  private static void recordSynchronousCommitOfHistoryWrites(TestDatabase db) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE history_writes (n SERIAL, op TEXT, id TEXT, setting TEXT)");
      s.execute("""
          CREATE FUNCTION record_history_write() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO history_writes (op, id, setting) VALUES (TG_OP, NEW.id, current_setting('synchronous_commit'));
            RETURN NEW;
          END $$""");
      s.execute("CREATE TRIGGER history_writes BEFORE INSERT OR UPDATE ON databasechangelog"
          + " FOR EACH ROW EXECUTE FUNCTION record_history_write()");
    }
  }

  /** synchronous_commit of the step's pooled session after the step (the pool holds one connection). */
  private String pooledSessionSetting(TestDatabase db) throws Exception {
    try (Connection c = pools.borrow(db.jdbcUrl(), db.username(), "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static List<String> rows(TestDatabase db, String query) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(i > 1 ? " | " : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  @SuppressWarnings("deprecation")
  private static void plainLiquibase(TestDatabase db, Path changelog) throws Exception {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        DirectoryResourceAccessor accessor = new DirectoryResourceAccessor(changelog.getParent())) {
      Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
      Scope.child(Map.of("liquibase.analytics.enabled", Boolean.FALSE), () ->
          new Liquibase(changelog.getFileName().toString(), accessor, database).update(""));
    }
  }
}
