package io.dbops.liteengine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ForwardingRulesTest {
  private final ForwardingRules rules = new ForwardingRules(Set.of(20002, 20003), "http://CP.example:80/base/");

  @Test
  void allowsOnlyLoopbackNamesOnThePodsStepPorts() {
    assertThat(rules.stepRefusal("", 20002)).isNull();
    assertThat(rules.stepRefusal("127.0.0.1", 20003)).isNull();
    assertThat(rules.stepRefusal("LocalHost", 20002)).isNull();
    assertThat(rules.stepRefusal("127.0.0.1", 20004)).isEqualTo("step container 127.0.0.1:20004 is not one of this"
        + " pod's (rule: pod step containers; the lite engine forwards only to 127.0.0.1 on the ports of"
        + " DBOPS_POD_STEP_PORTS=20002,20003)");
    assertThat(rules.stepRefusal("10.0.0.7", 20002)).startsWith("step container 10.0.0.7:20002 is not one of");
    assertThat(rules.stepRefusal("127.0.0.2", 20002)).isNotNull();
    assertThat(rules.stepRefusal("::1", 20002)).isNotNull();
  }

  @Test
  void comparesLogServiceUrlsAfterNormalising() {
    assertThat(rules.logServiceUrl()).isEqualTo("http://cp.example/base");
    assertThat(rules.logRefusal("http://cp.example/base")).isNull();
    assertThat(rules.logRefusal("http://cp.example:80/base/")).isNull();
    assertThat(rules.logRefusal("HTTP://CP.EXAMPLE/base")).isNull();
    assertThat(rules.logRefusal("https://cp.example/base")).isNotNull();
    assertThat(rules.logRefusal("http://cp.example/other")).isNotNull();
    assertThat(rules.logRefusal("http://cp.example.attacker.net/base")).isNotNull();
    assertThat(rules.logRefusal("not a url")).startsWith("log service 'not a url' is not this pod's (rule: log"
        + " service; the lite engine ships logs only to DBOPS_LOG_SERVICE_URL=http://cp.example/base)");
  }

  @Test
  void offRefusesEveryLogService() {
    ForwardingRules off = new ForwardingRules(Set.of(20002), null);
    assertThat(off.logRefusal("http://cp.example")).isEqualTo(
        "log shipping is off on this lite engine (rule: log service; DBOPS_LOG_SERVICE_URL=off)");
  }

  @Test
  void neverShowsTheUserInfoOfARequestedUrl() {
    assertThat(rules.logRefusal("http://user:s3cret-pw@evil.example/")).doesNotContain("s3cret-pw");
  }
}
