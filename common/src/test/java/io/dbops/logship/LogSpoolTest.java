package io.dbops.logship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSpoolTest {
  private static final LogStreamRef REF = new LogStreamRef("http://cp:8080", "executions/e/dev/apply", "secret-token");
  @TempDir Path root;

  @Test
  void readsBackWhatWasWrittenAcrossReopensAndKeepsItsPosition() throws Exception {
    try (LogSpool spool = LogSpool.openOrCreate(root, REF, 40, 10)) {
      spool.append(lines(11, 20));
      spool.sync();
      spool.ack(14);
    }
    try (LogSpool again = LogSpool.open(LogSpool.dirOf(root, REF))) {
      assertThat(again.ref()).isEqualTo(REF);
      assertThat(again.base()).isEqualTo(40);
      assertThat(again.acked()).isEqualTo(14);
      assertThat(again.lastIndex()).isEqualTo(20);
      assertThat(again.read(15, 100, 1 << 20)).extracting(LogLine::text)
          .containsExactly("line 15", "line 16", "line 17", "line 18", "line 19", "line 20");
    }
  }

  @Test
  void dropsARecordCutShortByACrashAndAppendsAfterTheLastIntactOne() throws Exception {
    Path segment;
    try (LogSpool spool = LogSpool.openOrCreate(root, REF, 0, 0)) {
      spool.append(lines(1, 5));
      spool.sync();
    }
    try (var files = Files.list(LogSpool.dirOf(root, REF))) {
      segment = files.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3); // the last record lost its tail
    }

    try (LogSpool again = LogSpool.open(LogSpool.dirOf(root, REF))) {
      assertThat(again.lastIndex()).isEqualTo(4);
      again.append(lines(5, 6));
      assertThat(again.read(1, 100, 1 << 20)).extracting(LogLine::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }
  }

  @Test
  void isHeldByOneShipperAtATimeAndKeepsTheTokenOwnerOnly() throws Exception {
    try (LogSpool spool = LogSpool.openOrCreate(root, REF, 0, 0)) {
      assertThatThrownBy(() -> LogSpool.open(LogSpool.dirOf(root, REF)))
          .isInstanceOf(IOException.class).hasMessageContaining("in use by another shipper");
      Path identity = spool.dir().resolve(LogSpool.IDENTITY);
      assertThat(Files.readString(identity)).contains("secret-token");
      assertThat(Files.getPosixFilePermissions(identity))
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
    assertThat(LogSpool.open(LogSpool.dirOf(root, REF))).isNotNull().satisfies(s -> s.close());
  }

  @Test
  void deletesSpentSegmentsAndTheWholeSpoolWhenDone() throws Exception {
    LogSpool spool = LogSpool.openOrCreate(root, REF, 0, 0);
    String big = "x".repeat(100_000);
    for (long i = 1; i <= 200; i++) { // 20 MB: three segments of 8 MB
      spool.append(List.of(new LogLine(i, i, "INFO", big)));
    }
    spool.sync();
    assertThat(segments()).hasSize(3);
    spool.ack(170);
    assertThat(segments()).hasSize(1);
    assertThat(spool.read(171, 1, 1).get(0).seq()).isEqualTo(171);

    spool.delete();
    assertThat(Files.exists(spool.dir())).isFalse();
    assertThat(LogSpool.leftovers(root)).isEmpty();
  }

  private List<Path> segments() throws IOException {
    try (var files = Files.list(LogSpool.dirOf(root, REF))) {
      return files.filter(p -> p.getFileName().toString().startsWith("seg-")).toList();
    }
  }

  private static List<LogLine> lines(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> new LogLine(i, 1000 + i, "WARN", "line " + i)).toList();
  }
}
