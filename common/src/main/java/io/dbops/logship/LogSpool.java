package io.dbops.logship;

import io.dbops.protocol.ExecuteStepPayload.LogStreamRef;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk spool of one stream: {@code <root>/<hash of url and key>/} holds the stream's identity
 * ({@value #IDENTITY}, owner-only: it carries the log token), the position the log service
 * acknowledged ({@value #STATE}) and append-only segment files {@code seg-<first>.log} of records
 * {@code [int length][int crc32][long index][long ts][byte level][utf-8 text]}. Indexes are the
 * shipper's own line numbers (from 1); the stream's sequence number is {@code base + index}, and
 * the base is kept here too so a successor process numbers lines the same way.
 *
 * <p>While open, the directory is locked ({@link FileLock} on {@value #LOCK}), so two processes
 * never ship one spool; the lock dies with the process. A record cut short by a crash is dropped
 * when the spool is opened again. Not thread-safe: one shipper's sender thread uses it.
 */
final class LogSpool implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(LogSpool.class);
  static final String IDENTITY = "stream.properties";
  static final String STATE = "state.properties";
  static final String LOCK = "lock";
  /** The base of a stream whose position the log service has not told yet. */
  static final long UNKNOWN = Long.MIN_VALUE;
  private static final long SEGMENT_BYTES = 8L * 1024 * 1024;
  private static final int HEADER = 8;
  private static final int FIXED = 17;

  private final Path dir;
  private final LogStreamRef ref;
  private final SpoolFiles.Lock lock;
  private final List<Segment> segments = new ArrayList<>();
  private final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
  private final CRC32 crc = new CRC32();
  private long base;
  private long acked;
  private FileChannel writer;
  private Reader reader;

  private static final class Segment {
    final long first;
    final Path path;
    long last;
    long size;

    Segment(long first, Path path) {
      this.first = first;
      this.last = first - 1;
      this.path = path;
    }
  }

  private LogSpool(Path dir, LogStreamRef ref, SpoolFiles.Lock lock) {
    this.dir = dir;
    this.ref = ref;
    this.lock = lock;
  }

  /** The directory a stream spools to under {@code root}. */
  static Path dirOf(Path root, LogStreamRef ref) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((ref.serviceUrl() + "\n" + ref.key()).getBytes(StandardCharsets.UTF_8));
      return root.resolve(HexFormat.of().formatHex(hash, 0, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Spool directories under {@code root} that hold a stream (possibly locked by a live process). */
  static List<Path> leftovers(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(IDENTITY))).sorted().toList();
    }
  }

  /**
   * Opens the spool of {@code ref} under {@code root}, creating it when absent with {@code base} and
   * every line up to {@code acked} already delivered.
   *
   * @throws IOException when it cannot be created, or another process holds it
   */
  static LogSpool openOrCreate(Path root, LogStreamRef ref, long base, long acked) throws IOException {
    Path dir = dirOf(root, ref);
    if (Files.isRegularFile(dir.resolve(IDENTITY))) {
      return open(dir);
    }
    SpoolFiles.createDirectory(dir);
    LogSpool spool = new LogSpool(dir, ref, SpoolFiles.lock(dir.resolve(LOCK)));
    try {
      SpoolFiles.replace(dir.resolve(IDENTITY), SpoolFiles.properties("serviceUrl", ref.serviceUrl(),
          "key", ref.key(), "token", ref.token()), true);
      spool.base = base;
      spool.acked = acked;
      spool.writeState(true);
      return spool;
    } catch (IOException | RuntimeException e) {
      spool.close();
      throw e;
    }
  }

  /** Opens an existing spool directory, dropping a record cut short by a crash. */
  static LogSpool open(Path dir) throws IOException {
    Properties id = SpoolFiles.readProperties(dir.resolve(IDENTITY));
    LogStreamRef ref = new LogStreamRef(id.getProperty("serviceUrl"), id.getProperty("key"), id.getProperty("token"));
    if (ref.serviceUrl() == null || ref.key() == null || ref.token() == null) {
      throw new IOException("Spool " + dir + " has an incomplete " + IDENTITY);
    }
    LogSpool spool = new LogSpool(dir, ref, SpoolFiles.lock(dir.resolve(LOCK)));
    try {
      Properties state = Files.isRegularFile(dir.resolve(STATE))
          ? SpoolFiles.readProperties(dir.resolve(STATE)) : new Properties();
      spool.base = Long.parseLong(state.getProperty("base", Long.toString(UNKNOWN)));
      spool.acked = Long.parseLong(state.getProperty("acked", "0"));
      spool.scan();
      return spool;
    } catch (IOException | RuntimeException e) {
      spool.close();
      throw e;
    }
  }

  LogStreamRef ref() {
    return ref;
  }

  Path dir() {
    return dir;
  }

  /** The sequence number of index 0, or {@link #UNKNOWN} when the log service was never asked. */
  long base() {
    return base;
  }

  /** Records the base durably (before any line numbered with it is sent). */
  void setBase(long newBase) throws IOException {
    base = newBase;
    writeState(true);
  }

  long acked() {
    return acked;
  }

  /** The highest index on disk; {@code acked} when nothing is. */
  long lastIndex() {
    return segments.isEmpty() ? acked : Math.max(acked, segments.get(segments.size() - 1).last);
  }

  boolean hasUnacked() {
    return lastIndex() > acked;
  }

  /** Bytes of segment files on disk. */
  long bytes() {
    long total = buffer.position();
    for (Segment s : segments) {
      total += s.size;
    }
    return total;
  }

  /** True when the line with {@code index} is still on disk. */
  boolean holds(long index) {
    return !segments.isEmpty() && index >= segments.get(0).first && index <= lastIndex();
  }

  /** Appends lines (their {@code seq} is the index); call {@link #sync} at a batch boundary. */
  void append(List<LogLine> lines) throws IOException {
    for (LogLine line : lines) {
      if (line.seq() != lastIndex() + 1) {
        throw new IllegalStateException("Spool of " + ref.key() + " expected index " + (lastIndex() + 1)
            + ", got " + line.seq());
      }
      Segment current = segments.isEmpty() ? null : segments.get(segments.size() - 1);
      if (current == null || writer == null || current.size + buffer.position() >= SEGMENT_BYTES) {
        current = roll(line.seq());
      }
      byte[] text = line.text().getBytes(StandardCharsets.UTF_8);
      int payload = FIXED + text.length;
      ByteBuffer record = buffer.remaining() >= HEADER + payload ? buffer : ByteBuffer.allocate(HEADER + payload);
      if (record == buffer && buffer.remaining() < HEADER + payload) {
        flushBuffer();
      }
      int start = record.position();
      record.putInt(payload).putInt(0).putLong(line.seq()).putLong(line.ts())
          .put(LogLevels.code(line.level())).put(text);
      crc.reset();
      crc.update(record.array(), start + HEADER, payload);
      record.putInt(start + 4, (int) crc.getValue());
      if (record != buffer) {
        flushBuffer();
        record.flip();
        while (record.hasRemaining()) {
          writer.write(record);
        }
        current.size += HEADER + payload;
      } else if (buffer.remaining() < 4096) {
        flushBuffer();
      }
      current.last = line.seq();
    }
  }

  /** Writes buffered records and forces them to disk. */
  void sync() throws IOException {
    flushBuffer();
    if (writer != null) {
      writer.force(false);
    }
  }

  /**
   * Reads lines from {@code from} on: at most {@code maxLines} and about {@code maxBytes} of text.
   * Lines carry their index as {@code seq}.
   */
  List<LogLine> read(long from, int maxLines, long maxBytes) throws IOException {
    flushBuffer();
    List<LogLine> lines = new ArrayList<>();
    if (from > lastIndex() || !holds(from)) {
      return lines;
    }
    if (reader == null || reader.next != from) {
      seek(from);
    }
    long text = 0;
    while (lines.size() < maxLines && (lines.isEmpty() || text < maxBytes) && reader.next <= lastIndex()) {
      LogLine line = reader.readRecord();
      if (line == null) {
        if (!reader.advance()) {
          break;
        }
        continue;
      }
      lines.add(line);
      text += line.text().length() + 64;
    }
    return lines;
  }

  /** Records that the log service holds every line up to {@code index}; deletes spent segments. */
  void ack(long index) throws IOException {
    acked = index;
    writeState(false);
    while (segments.size() > 1 && segments.get(0).last <= acked) {
      Segment spent = segments.remove(0);
      if (reader != null && reader.segment == spent) {
        reader.close();
        reader = null;
      }
      Files.deleteIfExists(spent.path);
    }
  }

  /** Moves the acknowledged position back (the service lost lines it had acknowledged). */
  void rewind(long index) throws IOException {
    acked = index;
    writeState(true);
  }

  /** Deletes the whole spool (every line was delivered, or can never be) and releases the lock. */
  void delete() throws IOException {
    closeFiles();
    for (Segment s : segments) {
      Files.deleteIfExists(s.path);
    }
    segments.clear();
    Files.deleteIfExists(dir.resolve(STATE));
    Files.deleteIfExists(dir.resolve(IDENTITY));
    release();
    Files.deleteIfExists(dir.resolve(LOCK));
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      log.debug("Spool directory {} not removed: {}", dir, e.toString());
    }
  }

  /** Writes what is buffered, forces it, and releases the lock; the files stay for a successor. */
  @Override
  public void close() throws IOException {
    try {
      sync();
    } finally {
      closeFiles();
      release();
    }
  }

  private Segment roll(long first) throws IOException {
    flushBuffer();
    if (writer != null) {
      writer.force(false);
      writer.close();
    }
    Segment segment = new Segment(first, dir.resolve(String.format("seg-%020d.log", first)));
    writer = FileChannel.open(segment.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND);
    segments.add(segment);
    SpoolFiles.forceDirectory(dir);
    return segment;
  }

  private void flushBuffer() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    Segment current = segments.get(segments.size() - 1);
    buffer.flip();
    while (buffer.hasRemaining()) {
      current.size += writer.write(buffer);
    }
    buffer.clear();
  }

  /** Reads every segment, verifying each record; drops a torn or corrupt tail. */
  private void scan() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().matches("seg-\\d{20}\\.log")).sorted().toList();
    }
    long expected = -1;
    boolean broken = false;
    for (Path file : files) {
      long first = Long.parseLong(file.getFileName().toString().substring(4, 24));
      if (broken || (expected != -1 && first != expected)) {
        log.error("Spool {}: dropping {} after a damaged or missing segment; its lines cannot be delivered",
            dir, file.getFileName());
        Files.delete(file);
        broken = true;
        continue;
      }
      Segment segment = new Segment(first, file);
      Reader r = new Reader(segment, 0, first);
      long good = 0;
      try {
        while (r.readRecord() != null) {
          good = r.offset;
        }
      } finally {
        r.close();
      }
      segment.last = r.next - 1;
      segment.size = good;
      if (good < Files.size(file)) {
        log.warn("Spool {}: dropping a record cut short in {} at byte {} (the process died while writing it)",
            dir, file.getFileName(), good);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(good);
        }
        broken = true;
      }
      if (segment.last >= segment.first) {
        segments.add(segment);
        expected = segment.last + 1;
      } else {
        Files.delete(file);
      }
    }
    if (!segments.isEmpty()) {
      Segment last = segments.get(segments.size() - 1);
      writer = FileChannel.open(last.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
    if (acked > lastIndex()) {
      acked = lastIndex();
    }
  }

  private void seek(long index) throws IOException {
    if (reader != null) {
      reader.close();
    }
    Segment target = segments.get(0);
    for (Segment s : segments) {
      if (s.first <= index) {
        target = s;
      }
    }
    reader = new Reader(target, 0, target.first);
    while (reader.next < index) {
      if (reader.readRecord() == null) {
        throw new IOException("Spool " + dir + " has no line " + index + " in " + target.path.getFileName());
      }
    }
  }

  /** Sequential reader of one segment; moves on to the next segment when asked. */
  private final class Reader {
    Segment segment;
    long offset;
    long next;
    private DataInputStream in;

    Reader(Segment segment, long offset, long next) throws IOException {
      this.segment = segment;
      this.offset = offset;
      this.next = next;
      open();
    }

    private void open() throws IOException {
      in = new DataInputStream(new BufferedInputStream(SpoolFiles.inputAt(segment.path, offset), 64 * 1024));
    }

    /** The next whole, intact record, or null at the end of the data (or a damaged record). */
    LogLine readRecord() throws IOException {
      try {
        int payload = in.readInt();
        int sum = in.readInt();
        if (payload < FIXED || payload > 64 * 1024 * 1024) {
          return null;
        }
        byte[] bytes = new byte[payload];
        in.readFully(bytes);
        crc.reset();
        crc.update(bytes);
        if ((int) crc.getValue() != sum) {
          return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long index = b.getLong();
        long ts = b.getLong();
        String level = LogLevels.of(b.get());
        if (index != next) {
          return null;
        }
        String text = new String(bytes, FIXED, payload - FIXED, StandardCharsets.UTF_8);
        offset += HEADER + payload;
        next++;
        return new LogLine(index, ts, level, text);
      } catch (EOFException e) {
        return null;
      }
    }

    /** Continues with the following segment; false when this is the last one. */
    boolean advance() throws IOException {
      int i = segments.indexOf(segment);
      if (i < 0 || i + 1 >= segments.size()) {
        return false;
      }
      close();
      segment = segments.get(i + 1);
      offset = 0;
      open();
      return true;
    }

    void close() throws IOException {
      in.close();
    }
  }

  private void writeState(boolean durable) throws IOException {
    SpoolFiles.replace(dir.resolve(STATE), "base=" + base + "\nacked=" + acked + "\n", durable);
  }

  private void closeFiles() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  private void release() throws IOException {
    lock.close();
  }
}
