package org.tributary.jca.api;

import jakarta.resource.ResourceException;

/**
 * The outbound connection factory an application injects
 * ({@code @Resource(lookup = "java:app/tributary/Factory")}). Connections are pooled by the
 * container and cheap to get; close each one (try-with-resources).
 */
public interface TributaryConnectionFactory {

    TributaryConnection getConnection() throws ResourceException;
}
