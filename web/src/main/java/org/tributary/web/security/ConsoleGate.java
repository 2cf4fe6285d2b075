package org.tributary.web.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/** The console's pages need a login: anyone not logged in is sent to the login page (or the first-admin setup). */
@WebFilter("/console/*")
public class ConsoleGate extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Set<String> OPEN = Set.of("/console/login.html", "/console/setup.html", "/console/login.js",
            "/console/console.css");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        if (OPEN.contains(path) || Caller.of(request) != null) {
            chain.doFilter(request, response);
            return;
        }
        response.sendRedirect(request.getContextPath() + "/console/login.html");
    }
}
