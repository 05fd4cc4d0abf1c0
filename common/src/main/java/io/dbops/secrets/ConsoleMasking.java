package io.dbops.secrets;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Masks a container's own console: replaces {@code System.out} and {@code System.err} with
 * streams that mask every line with the given masker (see {@link MaskingOutputStream}) before it
 * reaches the file descriptors, which are the pod's log. Call it once, first thing in a
 * container's {@code main}, before logging starts; a no-op for {@link Masker#NONE}.
 */
public final class ConsoleMasking {
  private ConsoleMasking() {}

  /** Installs masking consoles for the values named by {@code DBOPS_MASK_ENV} in {@code env}. */
  public static void install(java.util.Map<String, String> env) {
    install(MaskEnvironment.masker(env));
  }

  /** Installs masking consoles for {@code masker}. */
  public static void install(Masker masker) {
    if (masker.isEmpty()) {
      return;
    }
    System.setOut(masking(new FileOutputStream(FileDescriptor.out), masker));
    System.setErr(masking(new FileOutputStream(FileDescriptor.err), masker));
  }

  private static PrintStream masking(FileOutputStream target, Masker masker) {
    return new PrintStream(new MaskingOutputStream(target, masker, MaskingOutputStream.DEFAULT_MAX_LINE_BYTES),
        true, StandardCharsets.UTF_8);
  }
}
