package io.dbops.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.dbops.support.Json;

/**
 * Encodes and decodes {@link Frame}s. Unknown fields are ignored (forward compatibility); an
 * unknown {@code type} or malformed JSON raises {@link MalformedFrameException} with a message
 * fit for the peer. Thread-safe.
 */
public final class FrameCodec {
  /** Frames larger than this are refused without being parsed. */
  public static final int MAX_FRAME_CHARS = 1 << 20;

  private final ObjectMapper mapper = Json.mapper();

  public String encode(Frame frame) {
    try {
      return mapper.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode frame " + frame.getClass().getSimpleName(), e);
    }
  }

  public Frame decode(String text) throws MalformedFrameException {
    if (text.length() > MAX_FRAME_CHARS) {
      throw new MalformedFrameException(
          "frame_too_large",
          "Frame of " + text.length() + " characters exceeds the limit of " + MAX_FRAME_CHARS);
    }
    try {
      Frame frame = mapper.readValue(text, Frame.class);
      if (frame == null) {
        throw new MalformedFrameException("malformed_frame", "Frame is JSON null");
      }
      return frame;
    } catch (InvalidTypeIdException e) {
      throw new MalformedFrameException(
          "unknown_frame_type", "Unknown or missing frame type " + quoted(e.getTypeId()));
    } catch (JsonProcessingException e) {
      throw new MalformedFrameException(
          "malformed_frame", "Frame is not valid protocol JSON: " + e.getOriginalMessage());
    }
  }

  private static String quoted(String s) {
    return s == null ? "(none)" : "'" + s + "'";
  }

  /** A frame that cannot be decoded. {@link #code()} is the error code sent to the peer. */
  public static final class MalformedFrameException extends Exception {
    private final String code;

    public MalformedFrameException(String code, String message) {
      super(message);
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
