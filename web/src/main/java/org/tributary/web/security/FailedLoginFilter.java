package org.tributary.web.security;

import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tributary.web.api.Problem;

/**
 * Slows failed logins under {@code /api}: a request whose credentials (Basic or bearer) were
 * refused gets its 401 problem body (the same one {@link ApiGate} gives) only after
 * {@link FailedLoginDelay}, sent from the scheduler through the servlet's async context, so no
 * request thread waits. Requests without credentials, with good ones, or to the open paths
 * (logging in, the first-admin setup) pass at once; the console's form login is slowed by its
 * own resource. Each failure is still counted and summarised by {@code LoginFailures}.
 */
@WebFilter(urlPatterns = "/api/*", asyncSupported = true)
public class FailedLoginFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(FailedLoginFilter.class.getName());
    private static final Jsonb JSON = JsonbBuilder.create();

    @Inject
    private FailedLoginDelay delay;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Object refused = request.getAttribute(Caller.REFUSED);
        String path = request.getRequestURI().substring(request.getContextPath().length()).replaceFirst("^/api/*", "");
        if (refused == null || Caller.of(request) != null || ApiGate.open(request.getMethod(), path)) {
            chain.doFilter(request, response);
            return;
        }
        byte[] body = JSON.toJson(Problem.of(401, "Unauthorized", ApiGate.unauthorizedDetail(refused), null))
                .getBytes(StandardCharsets.UTF_8);
        String challenge = ApiGate.challenge(request.getHeader("X-Requested-With"));
        if (request.isAsyncSupported()) {
            AsyncContext async = request.startAsync();
            async.setTimeout(FailedLoginDelay.MAX_MS + 30_000);
            if (delay.later(() -> answer(async, body, challenge))) {
                return;
            }
            answer(async, body, challenge);
            return;
        }
        delay.waitHere();
        write(response, body, challenge);
    }

    private static void answer(AsyncContext async, byte[] body, String challenge) {
        try {
            write((HttpServletResponse) async.getResponse(), body, challenge);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot answer a refused login (client gone?)", e);
        } finally {
            async.complete();
        }
    }

    private static void write(HttpServletResponse response, byte[] body, String challenge) throws IOException {
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", challenge);
        response.setContentType("application/problem+json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
