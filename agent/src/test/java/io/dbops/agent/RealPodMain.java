package io.dbops.agent;

import io.dbops.liteengine.LiteEngineMain;
import io.dbops.step.StepRuntimeMain;

/** Pod process command of the end-to-end test: the real lite engine and the real step runtime. */
public final class RealPodMain {
  private RealPodMain() {}

  public static void main(String[] args) throws Exception {
    String role = args[args.length - 1];
    if (role.equals("lite-engine")) {
      LiteEngineMain.main(new String[0]);
    } else if (role.equals("step-runtime")) {
      StepRuntimeMain.main(new String[0]);
    } else {
      System.err.println("unknown role " + role);
      System.exit(64);
    }
  }
}
