package io.dbops.secrets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that passes text on line by line, masked: bytes are held until their line ends
 * ({@code \n}), then the line is decoded as UTF-8, masked and written to the target, so a secret
 * split across two writes is still masked. A line longer than {@code maxLineBytes} is passed on in
 * pieces cut at a character boundary (a bound on memory). {@link #flush} does not pass on an
 * unfinished line (that would expose half a secret); {@link #close} does, then closes the target.
 *
 * <p>Used to wrap a container's own console ({@code System.out}, {@code System.err}). Thread-safe:
 * writes are serialized. The target is owned by this stream. The masker may be replaced ({@link
 * #useMasker}) when the process serves another binding of a warm pod.
 */
public final class MaskingOutputStream extends OutputStream {
  /** The default line bound: far above any secret's length and any log line's. */
  public static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024;

  private final OutputStream target;
  private Masker masker; // guarded by this
  private final int maxLineBytes;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256); // guarded by this

  public MaskingOutputStream(OutputStream target, Masker masker, int maxLineBytes) {
    if (maxLineBytes < 4) {
      throw new IllegalArgumentException("maxLineBytes must be at least 4 (one UTF-8 character)");
    }
    this.target = target;
    this.masker = masker;
    this.maxLineBytes = maxLineBytes;
  }

  @Override
  public synchronized void write(int b) throws IOException {
    if ((b & 0xFF) == '\n') {
      emit(true);
      return;
    }
    pending.write(b);
    if (pending.size() >= maxLineBytes) {
      cut();
    }
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    int end = offset + length;
    int from = offset;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == '\n') {
        pending.write(bytes, from, i - from);
        emit(true);
        from = i + 1;
      } else if (pending.size() + (i - from) + 1 >= maxLineBytes) {
        pending.write(bytes, from, i - from + 1);
        from = i + 1;
        cut();
      }
    }
    pending.write(bytes, from, end - from);
  }

  /**
   * Masks the lines that end from now on with {@code next}. An unfinished line is passed on first,
   * masked with the current masker: it was written before the switch.
   */
  public synchronized void useMasker(Masker next) throws IOException {
    if (pending.size() > 0) {
      emit(false);
    }
    masker = next;
  }

  @Override
  public synchronized void flush() throws IOException {
    target.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    if (pending.size() > 0) {
      emit(false);
    }
    target.close();
  }

  /** Passes on the longest prefix of the pending bytes that ends at a character boundary. */
  private void cut() throws IOException {
    byte[] bytes = pending.toByteArray();
    int end = bytes.length;
    // Back off over continuation bytes (10xxxxxx) and the lead byte they belong to, if incomplete.
    int i = end - 1;
    while (i > 0 && (bytes[i] & 0xC0) == 0x80) {
      i--;
    }
    int lead = bytes[i] & 0xFF;
    int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (end - i < need) {
      end = i;
    }
    writeLine(new String(bytes, 0, end, StandardCharsets.UTF_8), "\n");
    pending.reset();
    pending.write(bytes, end, bytes.length - end);
  }

  private void emit(boolean newline) throws IOException {
    String line = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    String terminator = newline ? "\n" : "";
    if (line.endsWith("\r")) { // keep a \r\n, but mask the line without it
      line = line.substring(0, line.length() - 1);
      terminator = "\r" + terminator;
    }
    writeLine(line, terminator);
  }

  private void writeLine(String line, String terminator) throws IOException {
    target.write((masker.apply(line) + terminator).getBytes(StandardCharsets.UTF_8));
  }
}
