package io.dbops.agent.task;

import io.dbops.protocol.Frame;
import io.dbops.protocol.FrameCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Results waiting for the control plane's acknowledgement: each is written to the on-disk
 * {@link Outbox} before it is sent and forgotten on {@code result_ack}, so results survive
 * reconnects and restarts. Thread-safe.
 */
final class PendingResults {
  private final Outbox outbox;
  private final FrameCodec codec;
  private final Map<String, Frame.TaskResult> results = new ConcurrentHashMap<>();

  PendingResults(Path outboxDir, FrameCodec codec) {
    this.codec = codec;
    this.outbox = new Outbox(outboxDir, codec);
  }

  /** Loads what a previous process of this delegate left in the outbox. */
  void load() {
    results.putAll(outbox.load());
  }

  /**
   * Keeps a result (on disk first) and returns the frame to send. An output too large for one
   * frame is dropped, saying so in the error; the status is kept.
   */
  Frame.TaskResult add(Frame.TaskResult result) {
    int size = codec.encode(result).length();
    if (size > FrameCodec.MAX_FRAME_CHARS) {
      result = new Frame.TaskResult(result.taskId(), result.attempt(), result.status(),
          (result.error() == null ? "" : result.error() + "; ") + "the task's output (" + size
              + " characters) exceeded the frame limit of " + FrameCodec.MAX_FRAME_CHARS + " and was dropped",
          null);
    }
    outbox.put(result);
    results.put(result.taskId(), result);
    return result;
  }

  /** Forgets an acknowledged result; false when it was not pending. */
  boolean acknowledge(String taskId) {
    if (results.remove(taskId) == null) {
      return false;
    }
    outbox.remove(taskId);
    return true;
  }

  Frame.TaskResult get(String taskId) {
    return results.get(taskId);
  }

  boolean contains(String taskId) {
    return results.containsKey(taskId);
  }

  List<Frame.TaskResult> all() {
    return List.copyOf(results.values());
  }

  int size() {
    return results.size();
  }

  boolean isEmpty() {
    return results.isEmpty();
  }
}
