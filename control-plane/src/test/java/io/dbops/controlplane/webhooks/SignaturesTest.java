package io.dbops.controlplane.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignaturesTest {
  @Test
  void signsLikeGithubDocumentsAndVerifiesOnlyTheExactBody() {
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!"
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    String expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assertThat(Signatures.sign("It's a Secret to Everybody", body)).isEqualTo(expected);
    assertThat(Signatures.verify("It's a Secret to Everybody", body, expected)).isTrue();
    assertThat(Signatures.verify("It's a Secret to Everybody", body, expected.toUpperCase()
        .replace("SHA256", "sha256"))).as("hex case does not matter").isTrue();
    assertThat(Signatures.verify("another secret", body, expected)).isFalse();
    assertThat(Signatures.verify("It's a Secret to Everybody",
        "Hello, World?".getBytes(StandardCharsets.UTF_8), expected)).isFalse();
    assertThat(Signatures.verify("It's a Secret to Everybody", body, null)).isFalse();
    assertThat(Signatures.verify("It's a Secret to Everybody", body, expected.substring(7)))
        .as("the sha256= prefix is required").isFalse();
  }
}
