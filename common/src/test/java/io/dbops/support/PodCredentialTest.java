package io.dbops.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodCredentialTest {
  private static final String TOKEN = "Zm9vYmFyYmF6cXV4LXBvZC1jcmVkZW50aWFs";

  @Test
  void acceptsOnlyTheExactBearerHeader() {
    PodCredential credential = PodCredential.of(TOKEN);

    assertThat(credential.matches("Bearer " + TOKEN)).isTrue();
    assertThat(credential.matches(null)).isFalse();
    assertThat(credential.matches("")).isFalse();
    assertThat(credential.matches(TOKEN)).isFalse();
    assertThat(credential.matches("bearer " + TOKEN)).isFalse();
    assertThat(credential.matches("Bearer " + TOKEN + "x")).isFalse();
    assertThat(credential.matches("Bearer " + TOKEN.substring(1))).isFalse();
  }

  @Test
  void readsTheEnvironmentAndRefusesToStartWithoutIt() {
    assertThat(PodCredential.fromEnvironment(Map.of("DBOPS_POD_TOKEN", TOKEN), "step runtime")
        .matches("Bearer " + TOKEN)).isTrue();
    assertThatThrownBy(() -> PodCredential.fromEnvironment(Map.of("DBOPS_POD_TOKEN", " "), "step runtime"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.component()).isEqualTo("step runtime");
          assertThat(e.problems()).containsExactly("DBOPS_POD_TOKEN must be set: the step runtime accepts calls"
              + " only from the delegate holding this pod's credential");
        });
  }

  @Test
  void neverShowsItsValue() {
    assertThat(PodCredential.of(TOKEN).toString()).doesNotContain(TOKEN);
  }
}
