package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.secrets.SecretSource.Kind;
import org.junit.jupiter.api.Test;

class SecretSourceTest {
  @Test
  void parsesEveryKind() {
    assertThat(SecretSource.parse("<+secrets.getValue(\"orders_db_password\")>"))
        .contains(new SecretSource(Kind.STORE, "orders_db_password"));
    assertThat(SecretSource.parse("env:ORDERS_PASSWORD")).contains(new SecretSource(Kind.ENV, "ORDERS_PASSWORD"));
    assertThat(SecretSource.parse("file:/var/run/secrets/db/password"))
        .contains(new SecretSource(Kind.FILE, "/var/run/secrets/db/password"));
    assertThat(SecretSource.parse("kubernetes:orders-db/password"))
        .contains(new SecretSource(Kind.KUBERNETES, "orders-db/password"));
  }

  @Test
  void writesBackWhatItParsed() {
    for (String text : new String[] {"<+secrets.getValue(\"a.b-c\")>", "env:X", "file:/p", "kubernetes:s/k"}) {
      assertThat(SecretSource.parse(text)).hasValueSatisfying(s -> assertThat(s.toString()).isEqualTo(text));
    }
  }

  @Test
  void refusesWhatIsNotASource() {
    for (String text : new String[] {null, "", "hunter2", "env:", "env:1X", "file:relative", "kubernetes:nokey",
        "kubernetes:UPPER/key", "<+secrets.getValue(\"\")>", "<+secrets.getValue('x')>",
        "<+secrets.getValue(\"has space\")>"}) {
      assertThat(SecretSource.parse(text)).as(String.valueOf(text)).isEmpty();
    }
  }
}
