package org.tributary.web.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem body: {@code type}, {@code title}, {@code status}, {@code detail} and, when
 * one input is at fault, {@code field}.
 */
public record Problem(String type, String title, int status, String detail, String field) {

    public static Response response(int status, String title, String detail, String field) {
        return Response.status(status).type("application/problem+json").entity(of(status, title, detail, field)).build();
    }

    /** The body alone (for answers written outside JAX-RS). */
    public static Problem of(int status, String title, String detail, String field) {
        return new Problem("https://tributary.org/problems/" + title.toLowerCase().replace(' ', '-'), title, status, detail, field);
    }

    /** Problems are written as JSON; a client asking for problem+json gets the same body. */
    static final MediaType PROBLEM = MediaType.valueOf("application/problem+json");
}
