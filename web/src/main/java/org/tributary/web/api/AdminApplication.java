package org.tributary.web.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The admin REST API, under {@code /api}. */
@ApplicationPath("api")
public class AdminApplication extends Application {
}
