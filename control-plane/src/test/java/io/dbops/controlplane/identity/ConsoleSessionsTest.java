package io.dbops.controlplane.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.controlplane.store.Database;
import io.dbops.controlplane.store.Sql;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Console sessions on the real schema (H2 in memory, migrated once for the class; the tables are
 * emptied before each test) with a clock the test moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleSessionsTest {
  @TempDir Path dir;
  Database database;
  Sql sql;
  Instant now = Instant.parse("2026-12-07T10:00:00Z");
  ConsoleSessions sessions;

  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };

  @BeforeAll
  void migrate() {
    database = new Database("jdbc:h2:mem:sessions-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1",
        "sa", null, dir);
    database.start();
    sql = new Sql(database.dataSource());
  }

  @BeforeEach
  void start() {
    sql.update("DELETE FROM console_sessions");
    sql.update("DELETE FROM console_oidc_used");
    now = Instant.parse("2026-12-07T10:00:00Z");
    sessions = new ConsoleSessions(sql, clock, Duration.ofHours(12), Duration.ofMinutes(60));
  }

  @AfterAll
  void stop() {
    database.close();
  }

  private ApiToken token(Instant expiresAt) {
    return new ApiToken("pat-1", "alice", ApiToken.Kind.USER, EnumSet.of(Role.APPROVER),
        List.of("prod"), Set.of(), expiresAt, now, null, null);
  }

  private ConsoleSessions.Check.Valid valid(String id) {
    ConsoleSessions.Check check = sessions.check(id);
    assertThat(check).isInstanceOf(ConsoleSessions.Check.Valid.class);
    return (ConsoleSessions.Check.Valid) check;
  }

  private String refused(String id) {
    ConsoleSessions.Check check = sessions.check(id);
    assertThat(check).isInstanceOf(ConsoleSessions.Check.Refused.class);
    return ((ConsoleSessions.Check.Refused) check).reason();
  }

  @Test
  void aSessionCarriesItsTokensIdentityAndOnlyTheHashOfItsIdIsStored() {
    ConsoleSessions.Opened opened = sessions.open(token(null));

    assertThat(opened.id()).hasSize(43).matches("[A-Za-z0-9_-]+");
    ConsoleSession s = valid(opened.id()).session();
    assertThat(s.via()).isEqualTo(ConsoleSession.Via.SESSION_TOKEN);
    assertThat(s.tokenId()).isEqualTo("pat-1");
    assertThat(s.roles()).containsExactly(Role.APPROVER);
    assertThat(s.environments()).containsExactly("prod");
    assertThat(s.expiresAt()).isEqualTo(now.plus(Duration.ofHours(12)));
    List<String> rows = sql.query("SELECT * FROM console_sessions", rs -> {
      StringBuilder b = new StringBuilder();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        b.append(rs.getString(i)).append('|');
      }
      return b.toString();
    }, 0);
    assertThat(rows).singleElement().asString().doesNotContain(opened.id())
        .doesNotContain(opened.csrfToken()).contains(TokenHash.of(opened.id()));
    assertThat(refused("not-a-session")).contains("unknown");
    assertThat(refused(null)).contains("no console session");
  }

  @Test
  void aSessionEndsAfterItsIdleLimitButActivityKeepsItOpen() {
    String id = sessions.open(token(null)).id();
    now = now.plus(Duration.ofMinutes(59));
    valid(id);
    now = now.plus(Duration.ofMinutes(59)); // 118 minutes after sign-in, 59 after the last use
    valid(id);
    now = now.plus(Duration.ofMinutes(60));
    assertThat(refused(id)).contains("idle for more than 60 minute(s)")
        .contains("DBOPS_CONSOLE_SESSION_IDLE_MINUTES");
    assertThat(refused(id)).contains("unknown"); // deleted when found ended
  }

  @Test
  void aSessionEndsAtItsLifetimeOrItsTokensExpiryWhicheverIsFirst() {
    String id = sessions.open(token(null)).id();
    for (int i = 0; i < 23; i++) {
      now = now.plus(Duration.ofMinutes(30));
      valid(id);
    }
    now = now.plus(Duration.ofMinutes(30)); // 12 h
    assertThat(refused(id)).contains("expired at").contains("DBOPS_CONSOLE_SESSION_HOURS");

    ConsoleSessions.Opened soon = sessions.open(token(now.plus(Duration.ofMinutes(5))));
    assertThat(soon.session().expiresAt()).isEqualTo(now.plus(Duration.ofMinutes(5)));
    now = now.plus(Duration.ofMinutes(5));
    assertThat(refused(soon.id())).contains("expired");
  }

  @Test
  void closingEndsTheSessionAndOpeningSweepsEndedOnes() {
    String first = sessions.open(token(null)).id();
    String second = sessions.open(token(null)).id();
    assertThat(sessions.close(first)).isTrue();
    assertThat(sessions.close(first)).isFalse();
    assertThat(refused(first)).contains("unknown");
    valid(second);
    now = now.plus(Duration.ofHours(2));
    sessions.openOidc("https://idp|bob", "bob", EnumSet.of(Role.VIEWER), List.of(),
        List.of("all"));
    assertThat(sql.queryOne("SELECT COUNT(*) FROM console_sessions", rs -> rs.getLong(1)))
        .contains(1L); // the idle second one was swept
    assertThat(sessions.closeForToken("pat-1")).isZero();
  }

  @Test
  void theCsrfTokenBelongsToOneSessionAndIsComparedStrictly() {
    ConsoleSessions.Opened a = sessions.open(token(null));
    ConsoleSessions.Opened b = sessions.open(token(null));
    assertThat(a.csrfToken()).isEqualTo(ConsoleSessions.csrf(a.id())).isNotEqualTo(b.csrfToken())
        .isNotEqualTo(a.id()).hasSize(43);
    assertThat(ConsoleSessions.csrfMatches(a.id(), a.csrfToken())).isTrue();
    assertThat(ConsoleSessions.csrfMatches(a.id(), b.csrfToken())).isFalse();
    assertThat(ConsoleSessions.csrfMatches(a.id(), null)).isFalse();
    assertThat(ConsoleSessions.csrfMatches(a.id(), "")).isFalse();
  }

  @Test
  void anOidcValueIsRedeemedOnce() {
    assertThat(sessions.redeemOnce("state", "s1")).isTrue();
    assertThat(sessions.redeemOnce("state", "s1")).isFalse();
    assertThat(sessions.redeemOnce("code", "s1")).isTrue();
    now = now.plus(Duration.ofDays(2));
    assertThat(sessions.redeemOnce("state", "s2")).isTrue(); // and old entries are forgotten
    assertThat(sessions.redeemOnce("state", "s1")).isTrue();
  }
}
