package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.BrokerService;
import org.tributary.ee.ProducedRecord;
import org.tributary.ee.RecordInfo;

/** Records: browse a partition from an offset or a time; produce a test record. */
@Path("topics")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Records")
public class RecordsResource {

    @EJB
    private BrokerService broker;

    /** A record as shown: key, value and header values in the format named next to each. */
    public record RecordView(String topic, int partition, long offset, long timestamp, String time, String timestampType,
            String key, String keyFormat, String value, String valueFormat, List<HeaderView> headers, int valueBytes) {
    }

    public record HeaderView(String key, String value, String format) {
    }

    /** Body of {@code POST /api/topics/{name}/records}; {@code format} says how key, value and headers are written. */
    public record NewRecord(Integer partition, String key, String value, Map<String, String> headers, String format) {
    }

    @GET
    @Path("{name}/partitions/{partition}/records")
    @Operation(summary = "Browse a partition from an offset or a timestamp (ISO-8601 or epoch ms); format: auto, text, json, hex, base64")
    public List<RecordView> browse(@PathParam("name") String topic, @PathParam("partition") String partitionText,
            @QueryParam("offset") String offsetText, @QueryParam("timestamp") String timestampText,
            @QueryParam("limit") String limitText, @QueryParam("format") String formatText) {
        int partition = (int) number(partitionText, "partition", 0);
        long offset = number(offsetText, "offset", 0);
        int limit = (int) number(limitText, "limit", 50);
        if (offset < 0) {
            throw Inputs.invalid("offset", "'offset' must be 0 or more, not " + offset);
        }
        if (limit < 1 || limit > 500) {
            throw Inputs.invalid("limit", "'limit' must be between 1 and 500, not " + limit);
        }
        Long timestamp = timestampText == null || timestampText.isBlank() ? null : time(timestampText);
        RecordFormat format = RecordFormat.of(formatText, "format");
        List<RecordView> out = new ArrayList<>();
        for (RecordInfo r : broker.browse(topic, partition, offset, timestamp, limit)) {
            RecordFormat.Shown k = format.show(r.key());
            RecordFormat.Shown v = format.show(r.value());
            List<HeaderView> hs = r.headers().stream().map(h -> {
                RecordFormat.Shown s = format.show(h.value());
                return new HeaderView(h.key(), s.text(), s.format());
            }).toList();
            out.add(new RecordView(r.topic(), r.partition(), r.offset(), r.timestamp(), Instant.ofEpochMilli(r.timestamp()).toString(),
                    r.timestampType(), k.text(), k.format(), v.text(), v.format(), hs, r.value() == null ? -1 : r.value().length));
        }
        return out;
    }

    @POST
    @Path("{name}/records")
    @Operation(summary = "Produce a test record with optional key, partition and headers")
    public Response produce(@PathParam("name") String topic, NewRecord body) {
        Inputs.required(body, "body");
        RecordFormat format = RecordFormat.of(body.format(), "format");
        if (body.partition() != null && body.partition() < 0) {
            throw Inputs.invalid("partition", "'partition' must be 0 or more");
        }
        List<RecordInfo.Header> headers = new ArrayList<>();
        if (body.headers() != null) {
            body.headers().forEach((k, v) -> {
                if (k == null || k.isBlank()) {
                    throw Inputs.invalid("headers", "header names must not be empty");
                }
                headers.add(new RecordInfo.Header(k, format.parse(v, "headers")));
            });
        }
        ProducedRecord r = broker.produce(topic, body.partition(), format.parse(body.key(), "key"),
                format.parse(body.value(), "value"), headers);
        return Response.status(201).entity(r).build();
    }

    private static long number(String text, String field, long dflt) {
        if (text == null || text.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw Inputs.invalid(field, "'" + field + "' must be a whole number, not '" + text + "'");
        }
    }

    private static long time(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(text.trim()).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw Inputs.invalid("timestamp", "'timestamp' must be epoch milliseconds or ISO-8601 (2026-01-31T12:00:00Z), not '"
                        + text + "'");
            }
        }
    }
}
