package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.cli.client.ApiTarget;
import io.dbops.cli.client.CredentialsFile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerOptionTest {
  @TempDir Path config;

  private ApiTarget resolve(String server, Map<String, String> env) {
    ServerOption option = new ServerOption();
    option.server = server;
    option.environment = env;
    return option.target();
  }

  @Test
  void theEnvironmentTokenWinsOverTheCredentialsFile() {
    new CredentialsFile(config.resolve("dbops/credentials")).store("http://cp:8080", "from-file");
    ApiTarget target = resolve("http://cp:8080",
        Map.of("XDG_CONFIG_HOME", config.toString(), "DBOPS_API_TOKEN", "from-env"));
    assertThat(target.token()).isEqualTo("from-env");
    assertThat(target.tokenSource()).isEqualTo("DBOPS_API_TOKEN");
    assertThat(target.toString()).doesNotContain("from-env");
  }

  @Test
  void withoutAServerTheOneLastLoggedInToIsUsedWithItsToken() {
    new CredentialsFile(config.resolve("dbops/credentials")).store("https://cp.example", "stored");
    ApiTarget target = resolve(null, Map.of("XDG_CONFIG_HOME", config.toString()));
    assertThat(target.base().toString()).isEqualTo("https://cp.example/");
    assertThat(target.token()).isEqualTo("stored");
  }

  @Test
  void noTokenAnywhereSendsNoneAndTheDefaultServerIsLoopback() {
    ApiTarget target = resolve(null, Map.of("XDG_CONFIG_HOME", config.toString()));
    assertThat(target.base().toString()).isEqualTo("http://127.0.0.1:8080/");
    assertThat(target.token()).isNull();
  }

  @Test
  void dbopsServerUrlIsUsedWhenNoOptionIsGiven() {
    ApiTarget target = resolve(null, Map.of("XDG_CONFIG_HOME", config.toString(),
        "DBOPS_SERVER_URL", "http://10.0.0.5:9000"));
    assertThat(target.base().host()).isEqualTo("10.0.0.5");
  }
}
