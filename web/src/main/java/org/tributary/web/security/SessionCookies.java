package org.tributary.web.security;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.annotation.WebListener;
import java.util.Set;

/**
 * The console's session cookie: HttpOnly, SameSite=Strict, never a session id in a URL. The
 * Secure flag is set by Payara for requests that came over TLS ({@code cookieSecure=dynamic} in
 * payara-web.xml), so a plain-HTTP node still works and an HTTPS one never leaks the cookie.
 */
@WebListener
public class SessionCookies implements ServletContextListener {
    public static final String NAME = "TRIBUTARY_SESSION";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        SessionCookieConfig c = event.getServletContext().getSessionCookieConfig();
        c.setName(NAME);
        c.setHttpOnly(true);
        c.setPath("/");
        c.setAttribute("SameSite", "Strict");
        event.getServletContext().setSessionTrackingModes(Set.of(SessionTrackingMode.COOKIE));
    }
}
