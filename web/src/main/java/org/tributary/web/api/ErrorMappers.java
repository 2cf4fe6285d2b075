package org.tributary.web.api;

import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonParsingException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tributary.ee.AdminException;

/** Every error under /api becomes a JSON problem body; never a stack trace or an HTML page. */
public final class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {
    }

    /** Admin failures carry their status and the field at fault. */
    @Provider
    public static class AdminFailure implements ExceptionMapper<AdminException> {
        @Override
        public Response toResponse(AdminException e) {
            return Problem.response(e.kind().status(), title(e.kind().status()), e.getMessage(), e.field());
        }
    }

    /** Everything else: JAX-RS errors keep their status, malformed JSON is a 400, the rest a 500 without detail. */
    @Provider
    public static class Anything implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof AdminException a) {
                    return new AdminFailure().toResponse(a);
                }
                if (c instanceof JsonbException || c instanceof JsonParsingException) {
                    return Problem.response(400, "Malformed JSON", "the request body is not valid JSON for this endpoint: "
                            + firstLine(c.getMessage()), "body");
                }
            }
            if (e instanceof NotFoundException) {
                return Problem.response(404, "Not Found", "no such resource under /api; see /openapi for the API", null);
            }
            if (e instanceof NotAllowedException) {
                return Problem.response(405, "Method Not Allowed", "this resource does not accept that method", null);
            }
            if (e instanceof WebApplicationException w) {
                int status = w.getResponse().getStatus();
                return Problem.response(status, title(status), firstLine(w.getMessage()), null);
            }
            LOG.log(Level.WARNING, "TRIB-WEB-001 admin API request failed", e);
            return Problem.response(500, "Internal Server Error", "the request failed: " + e.getClass().getSimpleName()
                    + " (details in the server log, TRIB-WEB-001)", null);
        }
    }

    static String title(int status) {
        Response.Status s = Response.Status.fromStatusCode(status);
        return s == null ? "Error " + status : s.getReasonPhrase();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
