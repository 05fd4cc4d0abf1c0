package io.dbops.controlplane.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostRuleTest {
  @Test
  void nothingIsAllowedWithoutTheSetting() {
    assertThat(HostRule.of(List.of()).refusal(URI.create("https://hooks.example.com/x")))
        .isEqualTo("host 'hooks.example.com' is not allowed by DBOPS_NOTIFY_ALLOW_HOSTS (unset: no"
            + " host is allowed); the operator can add it there");
  }

  @Test
  void aWildcardNeverOpensLoopbackOrPrivateAddresses() {
    HostRule any = HostRule.of(List.of("*"));
    assertThat(any.refusal(URI.create("https://hooks.example.com/x"))).isNull();
    assertThat(any.refusal(URI.create("http://127.0.0.1:9000/x")))
        .contains("loopback or internal address").contains("DBOPS_NOTIFY_ALLOW_HOSTS");
    assertThat(any.refusal(URI.create("http://localhost/x"))).contains("loopback");
    assertThat(any.refusal(URI.create("http://169.254.169.254/latest/meta-data")))
        .contains("internal address");
    assertThat(any.refusal(URI.create("http://10.0.0.7/x"))).contains("internal address");
    assertThat(any.refusal(URI.create("http://[::1]/x"))).contains("internal address");
  }

  @Test
  void aLiteralEntryAllowsItsHostAndPortOnly() {
    HostRule rule = HostRule.of(List.of("127.0.0.1:9000", "*.example.com", "[::1]"));
    assertThat(rule.refusal(URI.create("http://127.0.0.1:9000/x"))).isNull();
    assertThat(rule.refusalResolved(URI.create("http://127.0.0.1:9000/x"))).isNull();
    assertThat(rule.refusal(URI.create("http://127.0.0.1:9001/x"))).contains("not allowed");
    assertThat(rule.refusal(URI.create("http://[::1]:8080/x"))).isNull();
    assertThat(rule.refusal(URI.create("https://a.example.com/x"))).isNull();
    assertThat(rule.refusal(URI.create("https://example.com/x"))).contains("not allowed");
    assertThat(rule.refusal(URI.create("https://evilexample.com/x"))).contains("not allowed");
    assertThat(rule.refusal(URI.create("ftp://a.example.com/x"))).contains("http or https");
    assertThat(rule.refusal(URI.create("https://u:p@a.example.com/x"))).contains("credentials");
  }

  @Test
  void badEntriesAreRefused() {
    assertThatThrownBy(() -> HostRule.entry("a*b.com")).hasMessageContaining("host, host:port");
    assertThatThrownBy(() -> HostRule.entry("host:99999")).hasMessageContaining("no valid port");
    assertThatThrownBy(() -> HostRule.entry("http://x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostRule.entry("a/b")).hasMessageContaining("host, host:port");
  }
}
