package org.tributary.web.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** The admin REST API, under {@code /api}; its OpenAPI document is served at {@code /openapi}. */
@ApplicationPath("api")
@OpenAPIDefinition(info = @Info(title = "Tributary admin API", version = "1",
        description = "Cluster, topics, partitions, consumer groups and records of a Tributary broker. "
                + "Errors are JSON problem bodies (type, title, status, detail, field)."))
public class AdminApplication extends Application {
}
