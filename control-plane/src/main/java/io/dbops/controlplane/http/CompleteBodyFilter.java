package io.dbops.controlplane.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.BadMessageException;

/**
 * The minimum body rate ({@link ServerLimits#minBodyBytesPerSecond}), measured by us instead of
 * Jetty. Jetty's own check runs on every read against the time since the body's first byte
 * arrived, with no allowance: a small body that had arrived whole failed it whenever the reading
 * thread lost its core between two reads (a 60-byte body after 60 ms at 1024 B/s; seen under load
 * when 200 clients submitted at once). Here the check allows a grace first ({@link #grace}: 2 s,
 * less with a short idle timeout), and a body is
 * ended at its {@code Content-Length} without asking Jetty for more. A body trickled a few bytes
 * at a time is still cut with 408 once the grace has passed; one that stops is cut by the
 * connection's idle timeout, as before.
 */
final class CompleteBodyFilter implements Filter {
  /** How long a body may take before its average rate counts (at most; see {@link #grace}). */
  static final Duration GRACE = Duration.ofSeconds(2);

  private final long minBytesPerSecond;
  private final Duration grace;

  /** @param grace see {@link #grace} */
  CompleteBodyFilter(long minBytesPerSecond, Duration grace) {
    this.minBytesPerSecond = minBytesPerSecond;
    this.grace = grace;
  }

  /**
   * {@link #GRACE}, or a quarter of the idle timeout when that is shorter: a trickle must be cut by
   * the rate rule well before the idle timeout could be the one that cuts a body that stops.
   */
  static Duration grace(Duration idleTimeout) {
    Duration quarter = idleTimeout.dividedBy(4);
    return quarter.compareTo(GRACE) < 0 ? quarter : GRACE;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http && hasBody(http)) {
      chain.doFilter(new Checked(http, http.getContentLengthLong(), minBytesPerSecond, grace),
          response);
    } else {
      chain.doFilter(request, response);
    }
  }

  private static boolean hasBody(HttpServletRequest request) {
    return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
  }

  private static final class Checked extends HttpServletRequestWrapper {
    private final long length;
    private final long minBytesPerSecond;
    private final Duration grace;
    private ServletInputStream stream;

    Checked(HttpServletRequest request, long length, long minBytesPerSecond, Duration grace) {
      super(request);
      this.length = length;
      this.minBytesPerSecond = minBytesPerSecond;
      this.grace = grace;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new CheckedInput(super.getInputStream(), length, minBytesPerSecond, grace,
            System::nanoTime);
      }
      return stream;
    }
  }

  /**
   * Reads from {@code in}: at most {@code length} bytes when it is known (then end of stream
   * without asking {@code in}), refusing with 408 when, after {@code grace} from the first read,
   * fewer than {@code minBytesPerSecond} per second past the grace have arrived.
   */
  static final class CheckedInput extends ServletInputStream {
    private final ServletInputStream in;
    private final long minBytesPerSecond;
    private final long graceNanos;
    private final LongSupplier nanoTime;
    private long remaining;
    private long read;
    private long firstReadNanos;
    private boolean started;

    /** @param length the declared length, or -1 when the body has none (chunked) */
    CheckedInput(ServletInputStream in, long length, long minBytesPerSecond, Duration grace,
        LongSupplier nanoTime) {
      this.in = in;
      this.remaining = length < 0 ? Long.MAX_VALUE : length;
      this.minBytesPerSecond = minBytesPerSecond;
      this.graceNanos = grace.toNanos();
      this.nanoTime = nanoTime;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      check();
      int b = in.read();
      if (b >= 0) {
        counted(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
      if (remaining <= 0) {
        return len == 0 ? 0 : -1;
      }
      check();
      int n = in.read(buffer, offset, (int) Math.min(len, remaining));
      if (n > 0) {
        counted(n);
      }
      return n;
    }

    private void counted(int n) {
      remaining -= n;
      read += n;
    }

    private void check() {
      long now = nanoTime.getAsLong();
      if (!started) {
        started = true;
        firstReadNanos = now;
        return;
      }
      long counting = now - firstReadNanos - graceNanos;
      if (minBytesPerSecond > 0 && counting > 0 && read < minBytesPerSecond * counting / 1_000_000_000L) {
        throw new BadMessageException(408, "Request content data rate < " + minBytesPerSecond + " B/s");
      }
    }

    @Override
    public int available() throws IOException {
      return remaining <= 0 ? 0 : in.available();
    }

    @Override
    public boolean isFinished() {
      return remaining <= 0 || in.isFinished();
    }

    @Override
    public boolean isReady() {
      return remaining <= 0 || in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
