package io.dbops.liteengine.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {
  private final SecretMasker masker = new SecretMasker(List.of("AbCdEfGhIjKlMnOp", "0123456789abcdef", "9876543210fedcba"));

  @Test
  void masksEveryOccurrenceAtAnyPosition() {
    for (int pad = 0; pad < 20; pad++) {
      String prefix = "x".repeat(pad);
      assertThat(masker.apply(prefix + "AbCdEfGhIjKlMnOp!")).isEqualTo(prefix + "*****!");
    }
    assertThat(masker.apply("a=0123456789abcdef b=9876543210fedcba c=0123456789abcdef"))
        .isEqualTo("a=***** b=***** c=*****");
    assertThat(masker.apply("0123456789abcdef9876543210fedcba")).isEqualTo("**********");
  }

  @Test
  void leavesOtherTextAlone() {
    String text = "Applying changeset db/orders.xml::12::alice 0123456789abcde";
    assertThat(masker.apply(text)).isSameAs(text);
  }
}
