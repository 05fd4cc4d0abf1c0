package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Secrets;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskerTest {
  private static final String PASSWORD = "p@ss w/rd+\"q\"&é";
  private final Masker masker = new Masker(List.of(PASSWORD, "line-one\nline-two", "ab"));

  @Test
  void masksTheExactValueAndEveryEncodedForm() {
    byte[] bytes = PASSWORD.getBytes(StandardCharsets.UTF_8);
    List<String> forms = List.of(
        PASSWORD,
        Base64.getEncoder().encodeToString(bytes),
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
        URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8),
        "p%40ss%20w%2Frd%2B%22q%22%26%C3%A9",
        "p@ss w/rd+\\\"q\\\"&é");
    for (String form : forms) {
      String masked = masker.apply("before " + form + " after");
      assertThat(masked).as(form).isEqualTo("before " + Secrets.MASK + " after");
    }
  }

  @Test
  void masksEachLineOfAMultiLineValueAndTheWholeValue() {
    assertThat(masker.apply("got line-two here")).isEqualTo("got " + Secrets.MASK + " here");
    assertThat(masker.apply("{\"v\":\"line-one\\nline-two\"}")).isEqualTo("{\"v\":\"" + Secrets.MASK + "\"}");
  }

  @Test
  void leavesValuesShorterThanThreeCharactersAlone() {
    assertThat(masker.apply("about ab")).isEqualTo("about ab");
    assertThat(Masker.NONE.apply("anything")).isEqualTo("anything");
  }

  @Test
  void joinsWritesIntoLinesSoASplitSecretIsMasked() {
    List<String> lines = new ArrayList<>();
    MaskingLineSplitter splitter = new MaskingLineSplitter(masker, 64 * 1024, lines::add);
    splitter.write("connecting with p@ss w/");
    splitter.write("rd+\"q\"&é now\r\nsecond line-");
    splitter.write("two\nunfinished");
    splitter.flush();

    assertThat(lines).containsExactly(
        "connecting with " + Secrets.MASK + " now",
        "second " + Secrets.MASK,
        "unfinished");
    assertThat(String.join("\n", lines)).doesNotContain("w/rd", "line-two");
  }

  @Test
  void cutsOverlongLinesAtTheBound() {
    List<String> lines = new ArrayList<>();
    MaskingLineSplitter splitter = new MaskingLineSplitter(Masker.NONE, 4, lines::add);
    splitter.write("abcdefghij\n");
    assertThat(lines).containsExactly("abcd", "efgh", "ij");
  }
}
