package io.dbops.step;

import java.nio.file.Files;
import java.nio.file.Path;
import liquibase.change.custom.CustomTaskChange;
import liquibase.database.Database;
import liquibase.exception.ValidationErrors;
import liquibase.resource.ResourceAccessor;

/** A customChange that creates the file named by its {@code canary} parameter when it runs. */
public class CanaryCustomChange implements CustomTaskChange {
  private String canary;

  public void setCanary(String canary) {
    this.canary = canary;
  }

  @Override
  public void execute(Database database) {
    try {
      Files.createFile(Path.of(canary));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String getConfirmationMessage() {
    return "canary written";
  }

  @Override
  public void setUp() {}

  @Override
  public void setFileOpener(ResourceAccessor resourceAccessor) {}

  @Override
  public ValidationErrors validate(Database database) {
    return new ValidationErrors();
  }
}
