package io.dbops.step;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;

/**
 * A real git smart-HTTP server on 127.0.0.1 (JGit's GitServlet on embedded Jetty) serving one
 * repository as {@code /repo.git} behind HTTP Basic authentication with one user and password.
 * Other paths are 404 (after authentication). Records the user names it was sent.
 */
final class GitHttpServer implements AutoCloseable {
  private final Server server;
  final List<String> usersSeen = new CopyOnWriteArrayList<>();

  GitHttpServer(Repository repository, String user, String password) throws Exception {
    GitServlet git = new GitServlet();
    git.setRepositoryResolver((request, name) -> {
      if (!name.equals("repo.git")) {
        throw new RepositoryNotFoundException(name);
      }
      repository.incrementOpen();
      return repository;
    });
    String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
    Filter basicAuth = new Filter() {
      @Override
      public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
          throws IOException, ServletException {
        String header = ((HttpServletRequest) req).getHeader("Authorization");
        if (header != null && header.startsWith("Basic ")) {
          String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
          usersSeen.add(decoded.substring(0, Math.max(0, decoded.indexOf(':'))));
        }
        if (!expected.equals(header)) {
          HttpServletResponse response = (HttpServletResponse) res;
          response.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
          response.sendError(401);
          return;
        }
        chain.doFilter(req, res);
      }
    };
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(basicAuth), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(git), "/*");
    server = new Server(new InetSocketAddress("127.0.0.1", 0));
    server.setHandler(context);
    server.start();
  }

  /** http://127.0.0.1:port/ */
  String baseUrl() {
    return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/";
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
