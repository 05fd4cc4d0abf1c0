package io.dbops.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbops.support.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskingOutputStreamTest {
  private static final String SECRET = "pässwörd-42";
  private final Masker masker = new Masker(List.of(SECRET));
  private final ByteArrayOutputStream target = new ByteArrayOutputStream();

  @Test
  void masksAValueSplitAcrossWritesAndInsideAMultiByteCharacter() throws Exception {
    byte[] line = ("user=me password=" + SECRET + "\r\nnext\n").getBytes(StandardCharsets.UTF_8);
    try (MaskingOutputStream out = new MaskingOutputStream(target, masker, 1024)) {
      int split = "user=me password=pä".getBytes(StandardCharsets.UTF_8).length - 1; // inside 'ä'
      out.write(line, 0, split);
      out.flush();
      assertThat(target.size()).as("nothing of an unfinished line is passed on").isZero();
      out.write(line, split, line.length - split);
    }
    assertThat(target.toString(StandardCharsets.UTF_8))
        .isEqualTo("user=me password=" + Secrets.MASK + "\r\nnext\n");
  }

  @Test
  void passesTheUnfinishedLastLineOnAtClose() throws Exception {
    PrintStream console = new PrintStream(new MaskingOutputStream(target, masker, 1024), true, StandardCharsets.UTF_8);
    console.println("one " + SECRET);
    console.print("two " + SECRET);
    console.close();
    assertThat(target.toString(StandardCharsets.UTF_8)).isEqualTo("one " + Secrets.MASK + "\ntwo " + Secrets.MASK);
  }

  @Test
  void cutsOverlongLinesAtACharacterBoundary() throws Exception {
    try (MaskingOutputStream out = new MaskingOutputStream(target, Masker.NONE, 8)) {
      out.write("abcdefgäöü\n".getBytes(StandardCharsets.UTF_8));
    }
    List<String> lines = target.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).allSatisfy(l -> assertThat(l.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8));
    assertThat(String.join("", lines)).isEqualTo("abcdefgäöü");
  }

  @Test
  void masksTheLinesEndedAfterASwitchWithTheNewMaskerAndTheUnfinishedOneWithTheOld() throws Exception {
    String next = "next-binding-s3cret";
    try (MaskingOutputStream out = new MaskingOutputStream(target, masker, 1024)) {
      out.write(("first " + SECRET + "\nhalf " + SECRET).getBytes(StandardCharsets.UTF_8));
      out.useMasker(new Masker(List.of(next)));
      out.write((" rest " + next + " " + SECRET + "\n").getBytes(StandardCharsets.UTF_8));
    }
    assertThat(target.toString(StandardCharsets.UTF_8)).isEqualTo("first " + Secrets.MASK + "\nhalf " + Secrets.MASK
        + " rest " + Secrets.MASK + " " + SECRET + "\n");
  }
}
