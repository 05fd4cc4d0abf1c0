package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Secrets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Short passwords that are also parts of a JDBC URL's scheme leave the URL readable. */
class MaskerJdbcUrlTest {
  private static final String M = Secrets.MASK;
  private static final String LINE = "Step x: APPLY on jdbc:postgresql://127.0.0.1:5432/orders and"
      + " jdbc:mariadb://db:3306/x and jdbc:h2:file:/tmp/db";

  @Test
  void aPasswordInsideAJdbcSchemeIsNotMaskedThere() {
    for (String password : List.of("postgres", "mariadb", "jdbc", "dbc", "sql", "file")) {
      assertThat(new Masker(List.of(password)).apply(LINE)).as(password).isEqualTo(LINE);
      assertThat(Secrets.maskValue(LINE, password)).as(password).isEqualTo(LINE);
    }
  }

  @Test
  void theSameValueIsStillMaskedEverywhereElse() {
    String line = "password postgres; jdbc:postgresql://db/postgres?user=postgres postgresql";
    String expected = "password " + M + "; jdbc:postgresql://db/" + M + "?user=" + M + " " + M + "ql";
    assertThat(new Masker(List.of("postgres")).apply(line)).isEqualTo(expected);
    assertThat(Secrets.maskValue(line, "postgres")).isEqualTo(expected);
    // A value that goes beyond the scheme is masked whole.
    assertThat(new Masker(List.of("jdbc:h2:file:/tmp")).apply("on jdbc:h2:file:/tmp/db"))
        .isEqualTo("on " + M + "/db");
    // Two or fewer characters are never masked (MIN_LENGTH), as before.
    assertThat(new Masker(List.of("h2")).apply(LINE)).isEqualTo(LINE);
  }

  @Test
  void aPasswordPropertyEndsWhereTheUrlEnds() {
    assertThat(Secrets.maskUrl("jdbc:h2:file:/tmp/x;USER=sa;PASSWORD=abc and then jdbc:h2:mem:y is next"))
        .isEqualTo("jdbc:h2:file:/tmp/x;USER=sa;PASSWORD=" + M + " and then jdbc:h2:mem:y is next");
    assertThat(Secrets.maskUrl("url 'jdbc:postgresql://db/x?password=s3cret' failed"))
        .isEqualTo("url 'jdbc:postgresql://db/x?password=" + M + " failed");
  }
}
