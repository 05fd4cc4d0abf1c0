package io.dbops.secrets;

import java.util.function.Consumer;

/**
 * Joins text that arrives in arbitrary writes (a process's output read in chunks) into lines and
 * hands each line, masked, to a consumer. A secret split across two writes is therefore masked:
 * nothing is passed on until its line is complete. A line longer than {@code maxLineChars} is
 * passed on in pieces of that size (a bound on memory); a secret that straddles such a cut is not
 * masked, so choose a bound far above any secret's length.
 *
 * <p>Not thread-safe: one writer.
 */
public final class MaskingLineSplitter {
  private final Masker masker;
  private final Consumer<String> lines;
  private final int maxLineChars;
  private final StringBuilder pending = new StringBuilder();
  private boolean lastWasCarriageReturn;

  public MaskingLineSplitter(Masker masker, int maxLineChars, Consumer<String> lines) {
    if (maxLineChars < 1) {
      throw new IllegalArgumentException("maxLineChars must be at least 1");
    }
    this.masker = masker;
    this.lines = lines;
    this.maxLineChars = maxLineChars;
  }

  /** Accepts the next chunk of text; emits every line it completes. */
  public void write(CharSequence chunk) {
    for (int i = 0; i < chunk.length(); i++) {
      char c = chunk.charAt(i);
      if (c == '\n' && lastWasCarriageReturn) {
        lastWasCarriageReturn = false; // the \n of a \r\n: the line was emitted at the \r
        continue;
      }
      lastWasCarriageReturn = c == '\r';
      if (c == '\n' || c == '\r') {
        emit();
      } else {
        pending.append(c);
        if (pending.length() >= maxLineChars) {
          emit();
        }
      }
    }
  }

  /** Emits the unfinished last line, if any (end of stream). */
  public void flush() {
    if (pending.length() > 0) {
      emit();
    }
  }

  private void emit() {
    lines.accept(masker.apply(pending.toString()));
    pending.setLength(0);
  }
}
