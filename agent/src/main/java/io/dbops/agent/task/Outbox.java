package io.dbops.agent.task;

import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task results waiting for their {@code result_ack}, one file per task under {@code
 * <stateDir>/outbox/}: {@code result-<taskId>.json} holding the encoded {@code task_result} frame.
 * Written atomically (temp file, fsync, rename, fsync of the directory) so a killed delegate leaves
 * either the whole result or none; a file that cannot be read back is moved aside to {@code
 * *.corrupt} with one WARN. Thread-safe (each task writes only its own file).
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,120}");
  private static final String PREFIX = "result-";
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final FrameCodec codec;

  Outbox(Path dir, FrameCodec codec) {
    this.dir = dir;
    this.codec = codec;
  }

  /** Results left by an earlier process, by task id. Never throws for a bad file. */
  Map<String, Frame.TaskResult> load() {
    Map<String, Frame.TaskResult> results = new LinkedHashMap<>();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      log.error("Cannot create the result outbox {}: {}; results will only be kept in memory", dir, e.toString());
      return results;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(file); // a write interrupted before its rename: the result was never sent
        } else if (name.endsWith(SUFFIX)) {
          read(file, results);
        }
      }
    } catch (IOException e) {
      log.error("Cannot list the result outbox {}: {}", dir, e.toString());
    }
    if (!results.isEmpty()) {
      log.info("Outbox {} holds {} unacknowledged result(s) of an earlier run; they are sent after connecting",
          dir, results.size());
    }
    return results;
  }

  private void read(Path file, Map<String, Frame.TaskResult> results) {
    try {
      Frame frame = codec.decode(Files.readString(file, StandardCharsets.UTF_8));
      if (!(frame instanceof Frame.TaskResult result) || result.taskId() == null || result.status() == null) {
        throw new IOException("not a task_result frame");
      }
      results.put(result.taskId(), result);
    } catch (IOException | FrameCodec.MalformedFrameException | RuntimeException e) {
      Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
      log.warn("Outbox file {} is unreadable ({}); moved aside to {} and skipped", file, e.getMessage(), aside);
      try {
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException moveFailed) {
        log.warn("Cannot move {} aside: {}", file, moveFailed.toString());
      }
    }
  }

  /** Stores the result durably; false (logged) when the disk refused, so it lives in memory only. */
  boolean put(Frame.TaskResult result) {
    // The result of an interrupted task (abort, drain, shutdown) is written on its interrupted
    // thread, and an interrupt closes a FileChannel mid-write: clear the flag while writing, so the
    // one result that most needs to survive is not the one lost.
    boolean interrupted = Thread.interrupted();
    try {
      return write(result);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean write(Frame.TaskResult result) {
    Path target = fileOf(result.taskId());
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.createDirectories(dir);
      byte[] bytes = codec.encode(result).getBytes(StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(temp,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
      return true;
    } catch (IOException e) {
      log.error("Cannot write the result of task {} to the outbox {} ({}); it is kept in memory only",
          result.taskId(), dir, e.toString());
      return false;
    }
  }

  /** Forgets an acknowledged result. */
  void remove(String taskId) {
    try {
      Files.deleteIfExists(fileOf(taskId));
    } catch (IOException e) {
      log.warn("Cannot delete the acknowledged result of task {} from the outbox: {}", taskId, e.toString());
    }
  }

  Path fileOf(String taskId) {
    String safe = SAFE_ID.matcher(taskId).matches() && !taskId.startsWith(".") ? taskId : sha256(taskId);
    return dir.resolve(PREFIX + safe + SUFFIX);
  }

  private void syncDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every platform can fsync a directory; the rename itself is atomic
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
