package io.dbops.agent.runtime.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A pod process command for tests of the pod environment: writes its environment (one NAME=VALUE
 * per line) and its maximum heap to {@code <dump.dir>/<role>-<port>.env}, then runs {@link
 * TestPodMain} (the real lite engine, a stand-in step runtime).
 */
public final class EnvDumpPodMain {
  private EnvDumpPodMain() {}

  public static void main(String[] args) throws Exception {
    String role = args[args.length - 1];
    String port = role.equals("lite-engine") ? System.getenv("DBOPS_LITE_ENGINE_PORT") : System.getenv("DBOPS_STEP_PORT");
    Map<String, String> env = new TreeMap<>(System.getenv());
    String dump = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"))
        + "\n#MAX_HEAP=" + Runtime.getRuntime().maxMemory() + "\n";
    Path file = Path.of(System.getProperty("dump.dir")).resolve(role + "-" + port + ".env");
    Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), dump);
    Files.move(file.resolveSibling(file.getFileName() + ".tmp"), file);
    TestPodMain.main(args);
  }
}
