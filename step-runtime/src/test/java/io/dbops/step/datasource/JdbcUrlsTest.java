package io.dbops.step.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JdbcUrlsTest {
  @Test
  void findsHostAndPortOrTheDriverDefault() {
    assertThat(JdbcUrls.hostAndPort("jdbc:postgresql://127.0.0.1:1/x")).isEqualTo("127.0.0.1:1");
    assertThat(JdbcUrls.hostAndPort("jdbc:postgresql://db/orders?ssl=true")).isEqualTo("db:5432");
    assertThat(JdbcUrls.hostAndPort("jdbc:mariadb://maria:3307/app")).isEqualTo("maria:3307");
    assertThat(JdbcUrls.hostAndPort("jdbc:mysql://my/app")).isEqualTo("my:3306");
    assertThat(JdbcUrls.hostAndPort("jdbc:h2:file:/tmp/db")).isNull();
  }

  @Test
  void addsPermitMysqlSchemeForMysqlUrls() {
    assertThat(PoolCache.withMysqlScheme("jdbc:mysql://h/db")).isEqualTo("jdbc:mysql://h/db?permitMysqlScheme");
    assertThat(PoolCache.withMysqlScheme("jdbc:mysql://h/db?a=1")).isEqualTo("jdbc:mysql://h/db?a=1&permitMysqlScheme");
    assertThat(PoolCache.withMysqlScheme("jdbc:mariadb://h/db")).isEqualTo("jdbc:mariadb://h/db");
  }
}
