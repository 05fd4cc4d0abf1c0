package io.dbops.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, data at rest: the data directory is 0700 and every file in it 0600 after a start. */
class DataAtRestIT {
  @TempDir Path temp;

  @Test
  void aFreshDataDirectoryIsPrivateAfterAStart() throws Exception {
    Path dataDir = temp.resolve("fresh").resolve("server");
    try (ControlPlane controlPlane = new ControlPlane(Fixtures.config(dataDir))) {
      controlPlane.start();
      assertPrivate(dataDir);
      assertThat(Files.list(dataDir).map(p -> p.getFileName().toString()).toList())
          .as("the H2 database and the generated master key are there").contains("master.key")
          .anyMatch(name -> name.endsWith(".mv.db"));
    }
    assertPrivate(dataDir);
  }

  @Test
  void anExistingInstallWithLooseModesIsFixedOnStartWithAWarning() throws Exception {
    Path dataDir = temp.resolve("old");
    try (ControlPlane first = new ControlPlane(Fixtures.config(dataDir))) {
      first.start();
    }
    // as an earlier version left it: 0755 directory, 0644 files
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> files = Files.list(dataDir)) {
      for (Path f : files.toList()) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
    try (RootLogCapture logs = new RootLogCapture();
        ControlPlane controlPlane = new ControlPlane(Fixtures.config(dataDir))) {
      controlPlane.start();
      assertPrivate(dataDir);
      assertThat(logs.text()).contains("WARN " + dataDir + " was mode rwxr-xr-x, readable by other"
          + " local users; set it to rwx------");
      assertThat(logs.text()).containsPattern("WARN .*master\\.key was mode rw-r--r--");
    }
  }

  private static void assertPrivate(Path dataDir) throws Exception {
    assertThat(mode(dataDir)).isEqualTo("rwx------");
    try (Stream<Path> entries = Files.walk(dataDir)) {
      List<Path> all = entries.filter(p -> !p.equals(dataDir)).toList();
      assertThat(all).isNotEmpty();
      for (Path p : all) {
        assertThat(mode(p)).as(p.toString())
            .isEqualTo(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------");
      }
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
