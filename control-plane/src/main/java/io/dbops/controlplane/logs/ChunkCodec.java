package io.dbops.controlplane.logs;

import io.dbops.logship.LogLevels;
import io.dbops.logship.LogLine;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The body of a {@code log_chunks} row: per line a zig-zag varint of the time since the previous
 * line (the first: since the epoch), one level byte ({@link LogLevels#code}), a varint length and
 * the UTF-8 text. Sequence numbers and cursors are not stored per line: both run consecutively
 * from the chunk's {@code first_seq} and {@code first_cursor}. Packed chunks are deflated.
 * Stateless and thread-safe.
 */
final class ChunkCodec {
  private ChunkCodec() {}

  /** One decoded line; {@code index} is its position in the chunk (from 0). */
  record Line(int index, long ts, String level, String text) {}

  /** Receives decoded lines; returns false to stop decoding. */
  @FunctionalInterface
  interface Sink {
    boolean accept(Line line);
  }

  static byte[] encode(List<LogLine> lines) {
    int capacity = 16;
    for (LogLine line : lines) {
      capacity += line.text().length() + 16;
    }
    Bytes out = new Bytes(capacity);
    long previous = 0;
    for (LogLine line : lines) {
      out.varint(zigzag(line.ts() - previous));
      previous = line.ts();
      out.write(LogLevels.code(line.level()));
      out.utf8(line.text());
    }
    return out.toByteArray();
  }

  /** Decodes the lines from {@code fromIndex} on, until the sink says stop. */
  static void decode(byte[] body, boolean packed, int fromIndex, Sink sink) {
    byte[] raw = packed ? inflate(body) : body;
    int[] pos = {0};
    long ts = 0;
    for (int index = 0; pos[0] < raw.length; index++) {
      ts += unzigzag(varint(raw, pos));
      int level = raw[pos[0]++];
      int length = (int) varint(raw, pos);
      if (index >= fromIndex) {
        String text = new String(raw, pos[0], length, StandardCharsets.UTF_8);
        if (!sink.accept(new Line(index, ts, LogLevels.of(level), text))) {
          return;
        }
      }
      pos[0] += length;
    }
  }

  /** Joins raw bodies of consecutive lines into one (the time deltas restart per body). */
  static byte[] join(List<byte[]> rawBodies) {
    Bytes out = new Bytes(rawBodies.stream().mapToInt(b -> b.length).sum());
    long previous = 0;
    for (byte[] body : rawBodies) {
      int[] pos = {0};
      long ts = 0;
      while (pos[0] < body.length) {
        ts += unzigzag(varint(body, pos));
        out.varint(zigzag(ts - previous));
        previous = ts;
        out.write(body[pos[0]++]);
        int length = (int) varint(body, pos);
        out.varint(length);
        out.write(body, pos[0], length);
        pos[0] += length;
      }
    }
    return out.toByteArray();
  }

  static byte[] deflate(byte[] raw) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(raw);
      deflater.finish();
      Bytes out = new Bytes(Math.max(64, raw.length / 4));
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        int n = deflater.deflate(buffer);
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  static byte[] inflate(byte[] packed) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(packed);
      Bytes out = new Bytes(packed.length * 4 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalStateException("A packed log chunk is truncated");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IllegalStateException("A packed log chunk is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  private static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  private static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  private static long varint(byte[] b, int[] pos) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte x = b[pos[0]++];
      result |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return result;
      }
    }
    throw new IllegalStateException("A log chunk has a malformed number");
  }

  /** A byte array builder without the synchronization of ByteArrayOutputStream. */
  private static final class Bytes {
    private byte[] buf;
    private int size;

    Bytes(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    void write(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    void varint(long v) {
      ensure(10);
      while ((v & ~0x7fL) != 0) {
        buf[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    /** A varint length and the UTF-8 bytes of {@code text}; ASCII without an intermediate array. */
    void utf8(String text) {
      int n = text.length();
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = text.charAt(i) < 0x80;
      }
      if (!ascii) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        varint(bytes.length);
        write(bytes, 0, bytes.length);
        return;
      }
      varint(n);
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[size++] = (byte) text.charAt(i);
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }
  }

}
