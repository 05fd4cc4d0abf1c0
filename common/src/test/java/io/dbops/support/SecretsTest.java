package io.dbops.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void masksPasswordParametersOfJdbcUrls() {
    assertThat(Secrets.maskUrl("jdbc:postgresql://db:5432/x?user=a&password=hunter22&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/x?user=a&password=" + Secrets.MASK + "&ssl=true");
    assertThat(Secrets.maskUrl("jdbc:sqlserver://db;user=a;pwd=hunter22;db=x"))
        .doesNotContain("hunter22");
  }

  @Test
  void masksUserinfoPasswords() {
    assertThat(Secrets.maskUrl("https://bob:hunter22@git.example.com/repo.git"))
        .isEqualTo("https://bob:" + Secrets.MASK + "@git.example.com/repo.git");
  }

  @Test
  void leavesUrlsWithoutPasswordsAlone() {
    assertThat(Secrets.maskUrl("jdbc:h2:file:./db")).isEqualTo("jdbc:h2:file:./db");
  }

  @Test
  void masksEveryOccurrenceOfAValueButNotTinyOnes() {
    assertThat(Secrets.maskValue("a hunter22 b hunter22", "hunter22"))
        .isEqualTo("a " + Secrets.MASK + " b " + Secrets.MASK);
    assertThat(Secrets.maskValue("ab", "ab")).isEqualTo("ab");
  }
}
