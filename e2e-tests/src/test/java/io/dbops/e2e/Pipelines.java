package io.dbops.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Copies a test pipeline from the classpath into a directory, filling in ${name} placeholders. */
final class Pipelines {
  private Pipelines() {}

  static Path copy(String resourceDir, List<String> files, Path target, Map<String, String> values)
      throws IOException {
    Files.createDirectories(target);
    for (String file : files) {
      String resource = "/pipelines/" + resourceDir + "/" + file;
      try (InputStream in = Pipelines.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IOException("No test resource " + resource);
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : values.entrySet()) {
          text = text.replace("${" + e.getKey() + "}", e.getValue());
        }
        Files.writeString(target.resolve(file), text);
      }
    }
    return target.resolve("pipeline.yaml");
  }
}
