package io.dbops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsFileTest {
  @TempDir Path home;

  @Test
  void storesOneTokenPerServerInAPrivateFileAndRemembersTheCurrentServer() throws Exception {
    CredentialsFile file = CredentialsFile.of(Map.of("XDG_CONFIG_HOME", home.toString()));
    file.store("https://a.example/", "token-a");
    file.store("https://b.example", "token-b");

    assertThat(file.path()).isEqualTo(home.resolve("dbops/credentials"));
    assertThat(file.token("https://a.example")).contains("token-a");
    assertThat(file.token("https://b.example/")).contains("token-b");
    assertThat(file.current()).contains("https://b.example");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path().getParent())))
        .isEqualTo("rwx------");
    try (var listing = Files.list(file.path().getParent())) {
      assertThat(listing).containsExactly(file.path()); // no temporary file left behind
    }
  }

  @Test
  void forgetsAServerAndItsCurrentMark() {
    CredentialsFile file = new CredentialsFile(home.resolve("c/credentials"));
    file.store("http://127.0.0.1:8080", "t");
    assertThat(file.remove("http://127.0.0.1:8080")).isTrue();
    assertThat(file.token("http://127.0.0.1:8080")).isEmpty();
    assertThat(file.current()).isEmpty();
    assertThat(file.remove("http://127.0.0.1:8080")).isFalse();
  }

  @Test
  void fallsBackToDotConfigUnderHome() {
    assertThat(CredentialsFile.of(Map.of("HOME", home.toString())).path())
        .isEqualTo(home.resolve(".config/dbops/credentials"));
  }
}
