package io.dbops.controlplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.BadMessageException;
import org.junit.jupiter.api.Test;

class CompleteBodyFilterTest {
  static final Duration GRACE = Duration.ofSeconds(2);
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  /** The server's input; counts the reads made after the body was consumed. */
  static final class ServerInput extends ServletInputStream {
    private final ByteArrayInputStream bytes;
    int readsAfterTheEnd;

    ServerInput(String body) {
      bytes = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (bytes.available() == 0) {
        readsAfterTheEnd++;
        return -1;
      }
      return bytes.read(b, off, Math.min(len, 1)); // one byte per read: a trickle
    }

    @Override
    public boolean isFinished() {
      return bytes.available() == 0;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {}
  }

  ServletInputStream checked(ServerInput server, long length) {
    return new CompleteBodyFilter.CheckedInput(server, length, 1024, GRACE, nanos::get);
  }

  @Test
  void aSmallBodyReadLongAfterItArrivedIsNotCut() throws IOException {
    ServerInput server = new ServerInput("{\"name\":\"orders\"}");
    ServletInputStream in = checked(server, 17);
    byte[] buffer = new byte[64];
    int n = in.read(buffer, 0, 64);
    nanos.addAndGet(Duration.ofMillis(1900).toNanos()); // the reading thread waited for a core
    while (n < 17) {
      n += in.read(buffer, n, 64 - n);
    }
    nanos.addAndGet(Duration.ofSeconds(30).toNanos());

    assertThat(in.read(buffer, 0, 64)).isEqualTo(-1);
    assertThat(new String(buffer, 0, 17, StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"orders\"}");
    assertThat(in.isFinished()).isTrue();
    assertThat(server.readsAfterTheEnd).as("the end is answered without asking the server").isZero();
  }

  @Test
  void readsNeverGoPastTheDeclaredLength() throws IOException {
    ServletInputStream in = checked(new ServerInput("abcdefgh"), 3);

    assertThat(in.readAllBytes()).hasSize(3);
    assertThat(in.read()).isEqualTo(-1);
    assertThat(in.read(new byte[8], 0, 0)).isZero();
  }

  @Test
  void aTrickledBodyIsCutOnceTheGraceHasPassed() throws IOException {
    ServletInputStream in = checked(new ServerInput("x".repeat(10_000)), 100_000);
    for (int i = 0; i < 6; i++) { // a byte every 300 ms: within the grace
      assertThat(in.read()).isEqualTo('x');
      nanos.addAndGet(Duration.ofMillis(300).toNanos());
    }
    nanos.addAndGet(Duration.ofMillis(500).toNanos()); // 2.3 s: 6 bytes where 300 were due

    assertThatThrownBy(in::read).isInstanceOf(BadMessageException.class)
        .hasMessageContaining("data rate < 1024 B/s")
        .satisfies(e -> assertThat(((BadMessageException) e).getCode()).isEqualTo(408));
  }

  @Test
  void aChunkedBodyHasNoLengthButIsMeasured() throws IOException {
    ServletInputStream in = checked(new ServerInput("abc"), -1);
    assertThat(in.read()).isEqualTo('a');
    nanos.addAndGet(Duration.ofSeconds(5).toNanos());

    assertThatThrownBy(in::read).isInstanceOf(BadMessageException.class);
  }

  @Test
  void theGraceIsTwoSecondsOrAQuarterOfAShortIdleTimeout() {
    assertThat(CompleteBodyFilter.grace(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(2));
    assertThat(CompleteBodyFilter.grace(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void zeroTurnsTheCheckOff() throws IOException {
    ServletInputStream in = new CompleteBodyFilter.CheckedInput(new ServerInput("abc"), 3, 0, GRACE,
        nanos::get);
    assertThat(in.read()).isEqualTo('a');
    nanos.addAndGet(Duration.ofMinutes(5).toNanos());

    assertThat(in.readAllBytes()).hasSize(2);
  }
}
