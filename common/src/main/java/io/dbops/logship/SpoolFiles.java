package io.dbops.logship;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File helpers of the spool: owner-only files, atomic replacement, directory fsync, the lock. */
final class SpoolFiles {
  private static final Logger log = LoggerFactory.getLogger(SpoolFiles.class);
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private SpoolFiles() {}

  /** An exclusive lock on a file, held until {@link #close}. */
  record Lock(FileChannel channel, FileLock lock) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        channel.close();
      }
    }
  }

  /**
   * Takes the lock file {@code file} without waiting.
   *
   * @throws IOException when another process (or another shipper of this one) holds it
   */
  static Lock lock(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("Spool " + file.getParent() + " is in use by another shipper");
    }
    return new Lock(channel, lock);
  }

  /** Creates {@code dir} (owner-only where POSIX permissions exist) and its parents. */
  static void createDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir.toAbsolutePath().getParent());
    if (POSIX) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(dir);
    }
  }

  /** Replaces {@code file} atomically with {@code content}, owner-only, optionally forced to disk. */
  static void replace(Path file, String content, boolean durable) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (POSIX) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      if (durable) {
        ch.force(true);
      }
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    if (durable) {
      forceDirectory(file.getParent());
    }
  }

  static Properties readProperties(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return p;
  }

  /** The text of a properties file (keys in the given order), for {@link #replace}. */
  static String properties(String... keysAndValues) throws IOException {
    Properties p = new Properties();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      p.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    var out = new java.io.StringWriter();
    p.store(out, "dbops log spool");
    return out.toString();
  }

  /** Makes a new or renamed file's directory entry durable; best effort where directories cannot be opened. */
  static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      log.trace("Cannot force directory {}: {}", dir, e.toString());
    }
  }

  static InputStream inputAt(Path file, long offset) throws IOException {
    return Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ).position(offset));
  }
}
