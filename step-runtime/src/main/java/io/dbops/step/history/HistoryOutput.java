package io.dbops.step.history;

import io.dbops.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The target's history as step outputs: {@code historyCount}, and {@code history} (the JSON array
 * of {@link HistoryEntry}) or, when that JSON is longer than {@link #PLAIN_LIMIT} characters,
 * {@code historyGzip} (the same JSON, gzip-compressed, Base64). A step's result travels in one
 * delegate frame of at most 1 MiB (FrameCodec.MAX_FRAME_CHARS) and a larger one loses its output:
 * a 2,000-row history is about 500 KB of JSON but 40 KB compressed. Pure; thread-safe.
 */
public final class HistoryOutput {
  /** Above this many characters the history is sent compressed. */
  public static final int PLAIN_LIMIT = 128 * 1024;

  private HistoryOutput() {}

  /** Puts {@code historyCount} and {@code history} or {@code historyGzip} into {@code outputs}. */
  public static void put(Map<String, String> outputs, List<HistoryEntry> entries) {
    String json = Json.write(entries);
    outputs.put("historyCount", Integer.toString(entries.size()));
    if (json.length() <= PLAIN_LIMIT) {
      outputs.put("history", json);
    } else {
      outputs.put("historyGzip", gzip(json));
    }
  }

  static String gzip(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length() / 8 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }
}
