package io.dbops.secrets;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Masks a container's own console: replaces {@code System.out} and {@code System.err} with
 * streams that mask every line with the given masker (see {@link MaskingOutputStream}) before it
 * reaches the file descriptors, which are the pod's log. Call it first thing in a container's
 * {@code main}, before logging starts; a no-op for {@link Masker#NONE} while no masking console is
 * installed.
 *
 * <p>May be called again (a warm pod process, once per binding): when the masking consoles are
 * already installed it only gives them the new masker, so the consoles are never wrapped twice and
 * the previous binding's secrets are no longer held. Not meant for concurrent calls (the process's
 * main thread calls it).
 */
public final class ConsoleMasking {
  private ConsoleMasking() {}

  /** Installs masking consoles for the values named by {@code DBOPS_MASK_ENV} in {@code env}. */
  public static void install(Map<String, String> env) {
    install(MaskEnvironment.masker(env));
  }

  /** Installs masking consoles for {@code masker}, or gives the installed ones {@code masker}. */
  public static void install(Masker masker) {
    if (System.out instanceof MaskingConsole out && System.err instanceof MaskingConsole err) {
      out.use(masker);
      err.use(masker);
      return;
    }
    if (masker.isEmpty()) {
      return;
    }
    System.setOut(new MaskingConsole(FileDescriptor.out, masker));
    System.setErr(new MaskingConsole(FileDescriptor.err, masker));
  }

  /** Whether {@code System.out} and {@code System.err} are masking consoles (for tests). */
  static boolean installed() {
    return System.out instanceof MaskingConsole && System.err instanceof MaskingConsole;
  }

  /** A console that masks its lines; the one place that knows its masking stream. */
  private static final class MaskingConsole extends PrintStream {
    private final MaskingOutputStream masking;

    MaskingConsole(FileDescriptor fd, Masker masker) {
      this(new MaskingOutputStream(new FileOutputStream(fd), masker, MaskingOutputStream.DEFAULT_MAX_LINE_BYTES));
    }

    private MaskingConsole(MaskingOutputStream masking) {
      super(masking, true, StandardCharsets.UTF_8);
      this.masking = masking;
    }

    void use(Masker masker) {
      flush(); // what PrintStream still buffers belongs to the lines written so far
      try {
        masking.useMasker(masker);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write to the console", e);
      }
    }
  }
}
