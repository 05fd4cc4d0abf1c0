package io.dbops.controlplane.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master key of a control plane started without {@code DBOPS_MASTER_KEY}: read from
 * {@code <data dir>/master.key}, created there (mode 0600) on the first start. Zero configuration
 * for the quickstart; production sets the key explicitly (see docs/secrets.md).
 */
final class MasterKeyFile {
  static final String FILE_NAME = "master.key";
  private static final Logger log = LoggerFactory.getLogger(MasterKeyFile.class);

  private MasterKeyFile() {}

  static MasterKey loadOrCreate(Path dataDir) {
    Path file = dataDir.toAbsolutePath().normalize().resolve(FILE_NAME);
    String origin = "the generated key file " + file;
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        MasterKey key = MasterKey.generate(origin);
        try {
          create(file, key);
          log.warn("No DBOPS_MASTER_KEY or DBOPS_MASTER_KEY_FILE is set: generated a master key in {}"
              + " (mode 0600). Secrets stored in this control plane can only be read with this file: back"
              + " it up, or set DBOPS_MASTER_KEY_FILE in production (docs/secrets.md)", file);
          return key;
        } catch (FileAlreadyExistsException raced) {
          // another process created it meanwhile: read theirs
        }
      }
      return MasterKey.parse(Files.readString(file, StandardCharsets.US_ASCII), origin);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read or create the master key file " + file + ": "
          + e.getMessage() + "; check DBOPS_DATA_DIR or set DBOPS_MASTER_KEY_FILE", e);
    }
  }

  private static void create(Path file, MasterKey key) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(file);
    }
    Files.writeString(file, key.encoded() + "\n", StandardCharsets.US_ASCII,
        StandardOpenOption.TRUNCATE_EXISTING);
  }
}
