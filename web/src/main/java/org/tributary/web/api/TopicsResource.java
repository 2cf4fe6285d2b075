package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.AdminException;
import org.tributary.ee.BrokerService;
import org.tributary.ee.ConfigEntryInfo;
import org.tributary.ee.PartitionInfo;
import org.tributary.ee.ReassignmentInfo;
import org.tributary.ee.TopicInfo;

/** Topics: list, create, delete, configs, partitions, moving a partition's replicas. */
@Path("topics")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Topics")
public class TopicsResource {

    @EJB
    private BrokerService broker;

    /** A topic in the list: no partition detail. */
    public record TopicRow(String name, String topicId, int partitions, int replicationFactor, int underReplicated,
            int offline, long sizeBytes, long messages) {
        static TopicRow of(TopicInfo t) {
            return new TopicRow(t.name(), t.topicId(), t.partitionCount(), t.replicationFactor(), t.underReplicated(),
                    t.offline(), t.sizeBytes(), t.messages());
        }
    }

    /** Body of {@code POST /api/topics}. */
    public record NewTopic(String name, Integer partitions, Integer replicationFactor, Map<String, String> configs) {
    }

    /** Body of {@code PUT /api/topics/{name}/configs}: values to set, keys to return to their defaults. */
    public record ConfigChange(Map<String, String> set, List<String> reset) {
    }

    /** Body of {@code POST /api/topics/{name}/partitions}. */
    public record PartitionCount(Integer count) {
    }

    /** Body of {@code PUT /api/topics/{name}/partitions/{partition}/replicas}: the broker ids, preferred leader first. */
    public record ReplicaList(List<Integer> replicas) {
    }

    @GET
    @Operation(summary = "List topics, optionally filtered by a name substring")
    public List<TopicRow> list(@QueryParam("search") String search) {
        return broker.topics().stream()
                .filter(t -> search == null || t.name().toLowerCase().contains(search.toLowerCase()))
                .map(TopicRow::of).toList();
    }

    @POST
    @Operation(summary = "Create a topic (partitions, replication factor, configs)")
    public Response create(NewTopic body) {
        Inputs.required(body, "body");
        Inputs.topicName(body.name());
        int partitions = body.partitions() == null ? 1 : Inputs.range(body.partitions(), "partitions", 1, 10_000);
        int rf = body.replicationFactor() == null ? 1 : Inputs.range(body.replicationFactor(), "replicationFactor", 1, 32);
        Map<String, String> configs = body.configs() == null ? Map.of() : body.configs();
        configs.forEach((k, v) -> {
            if (v == null) {
                throw Inputs.invalid("configs", "config '" + k + "' has no value");
            }
        });
        broker.createTopic(body.name(), partitions, (short) rf, configs);
        TopicInfo t = broker.topic(body.name()).orElse(null);
        return Response.created(URI.create("topics/" + body.name())).entity(t).build();
    }

    @GET
    @Path("{name}")
    @Operation(summary = "One topic with its partitions")
    public TopicInfo get(@PathParam("name") String name) {
        return require(name);
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete a topic")
    public Response delete(@PathParam("name") String name) {
        broker.deleteTopic(name);
        return Response.noContent().build();
    }

    @GET
    @Path("{name}/configs")
    @Operation(summary = "Every configuration value of the topic, with its source")
    public List<ConfigEntryInfo> configs(@PathParam("name") String name) {
        return broker.topicConfigs(name);
    }

    @PUT
    @Path("{name}/configs")
    @Operation(summary = "Set configuration values and reset others to their defaults")
    public List<ConfigEntryInfo> alterConfigs(@PathParam("name") String name, ConfigChange body) {
        Inputs.required(body, "body");
        Map<String, String> set = body.set() == null ? Map.of() : body.set();
        List<String> reset = body.reset() == null ? List.of() : body.reset();
        if (set.isEmpty() && reset.isEmpty()) {
            throw Inputs.invalid("set", "nothing to change: give 'set' (name to value) or 'reset' (names)");
        }
        set.forEach((k, v) -> {
            if (v == null) {
                throw Inputs.invalid("set", "config '" + k + "' has no value; use 'reset' to return it to its default");
            }
        });
        broker.alterTopicConfigs(name, set, reset);
        return broker.topicConfigs(name);
    }

    @GET
    @Path("{name}/partitions")
    @Operation(summary = "Partitions: leader, replicas, ISR, offsets, size on disk")
    public List<PartitionInfo> partitions(@PathParam("name") String name) {
        return require(name).partitions();
    }

    @GET
    @Path("{name}/partitions/{partition}")
    @Operation(summary = "One partition")
    public PartitionInfo partition(@PathParam("name") String name, @PathParam("partition") int partition) {
        return require(name).partitions().stream().filter(p -> p.partition() == partition).findFirst()
                .orElseThrow(() -> new AdminException(AdminException.Kind.NOT_FOUND, "partition",
                        "topic '" + name + "' has no partition " + partition));
    }

    @POST
    @Path("{name}/partitions")
    @Operation(summary = "Raise the partition count to 'count'")
    public TopicInfo addPartitions(@PathParam("name") String name, PartitionCount body) {
        Inputs.required(body, "body");
        broker.addPartitions(name, Inputs.range(body.count(), "count", 1, 10_000));
        return require(name);
    }

    @PUT
    @Path("{name}/partitions/{partition}/replicas")
    @Operation(summary = "Move the partition to these replicas (a reassignment, as kafka-reassign-partitions --execute): "
            + "202 with the reassignment in progress, 200 when the partition already has them")
    public Response reassign(@PathParam("name") String name, @PathParam("partition") int partition, ReplicaList body) {
        Inputs.required(body, "body");
        List<Integer> replicas = Inputs.required(body.replicas(), "replicas");
        for (Integer id : replicas) {
            if (id == null || id < 0) {
                throw Inputs.invalid("replicas", "'replicas' must be broker ids (0 or more), not " + replicas);
            }
        }
        return broker.reassignPartition(name, partition, replicas)
                .map(ongoing -> Response.accepted(ongoing).build())
                .orElseGet(() -> Response.ok(new ReassignmentInfo(name, partition, replicas, List.of(), List.of())).build());
    }

    @DELETE
    @Path("{name}/partitions/{partition}/reassignment")
    @Operation(summary = "Cancel the partition's reassignment in progress: it goes back to its original replicas")
    public Response cancelReassignment(@PathParam("name") String name, @PathParam("partition") int partition) {
        broker.cancelReassignment(name, partition);
        return Response.noContent().build();
    }

    private TopicInfo require(String name) {
        return broker.topic(name).orElseThrow(() -> new AdminException(AdminException.Kind.NOT_FOUND, "topic",
                "topic '" + name + "' does not exist"));
    }
}
