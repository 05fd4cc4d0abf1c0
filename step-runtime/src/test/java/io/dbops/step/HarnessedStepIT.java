package io.dbops.step;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The common frame of the step ITs: an in-process step runtime ({@link StepHarness}) whose
 * environment holds the H2 password, and the target database a test picks with {@link #target},
 * closed after each test.
 */
abstract class HarnessedStepIT {
  @TempDir Path tmp;
  StepHarness harness;
  TargetDb db;

  @BeforeEach
  void startHarness() throws Exception {
    harness = new StepHarness(Map.of(StepHarness.PASSWORD_ENV, TargetDb.H2_PASSWORD));
  }

  @AfterEach
  void stopHarness() throws Exception {
    harness.close();
    if (db != null) {
      db.close();
    }
  }

  /** Picks the test's database: a fresh one of {@code kind} (H2, POSTGRES, MARIADB). */
  void target(String kind) {
    db = TargetDb.named(kind, tmp);
  }
}
