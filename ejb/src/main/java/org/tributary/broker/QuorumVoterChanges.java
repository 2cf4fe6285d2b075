package org.tributary.broker;

import java.net.InetAddress;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AddRaftVoterRequestData;
import org.apache.kafka.common.message.AddRaftVoterResponseData;
import org.apache.kafka.common.message.RemoveRaftVoterRequestData;
import org.apache.kafka.common.message.RemoveRaftVoterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.quorum.QuorumException;
import org.tributary.quorum.RaftQuorum;
import org.tributary.quorum.VoterChangeException;

/**
 * KIP-853's AddRaftVoter and RemoveRaftVoter (what {@code kafka-metadata-quorum add-controller} and
 * {@code remove-controller} send), run by the active controller against the metadata quorum.
 * Every Tributary node is a member of the quorum, so adding a controller makes a running observer
 * a voter at the quorum address it follows from, and removing one makes a voter an observer that
 * keeps following the log (Kafka advises stopping a controller before removing it; both work).
 *
 * <p>Checks, each answered with Kafka's error code and a message that says what to do:
 * the cluster id ({@code INCONSISTENT_CLUSTER_ID}); voters fixed by {@code controller.quorum.voters}
 * ({@code UNSUPPORTED_VERSION}, as Kafka answers for a static quorum); the directory id against the
 * one the node announced ({@code directory.id} of its {@code meta.properties}; {@code INVALID_REQUEST}
 * to add, {@code VOTER_NOT_FOUND} to remove); the listeners against the node's quorum address
 * ({@code INVALID_REQUEST}); then the engine's own refusals ({@code DUPLICATE_VOTER},
 * {@code VOTER_NOT_FOUND}, a change in progress: {@code REQUEST_TIMED_OUT}, retriable). Stateless.
 */
final class QuorumVoterChanges implements UnaryOperator<ApiMessage> {
    private static final Logger LOG = Logger.getLogger(QuorumVoterChanges.class.getName());

    private final RaftQuorum quorum;
    private final String clusterId;
    private final boolean fixedVoters;
    private final IntFunction<Optional<Uuid>> directories;

    /**
     * @param fixedVoters whether the voters come from {@code controller.quorum.voters} (they then never change)
     * @param directories each node's announced directory id, empty when unknown
     */
    QuorumVoterChanges(RaftQuorum quorum, String clusterId, boolean fixedVoters, IntFunction<Optional<Uuid>> directories) {
        this.quorum = quorum;
        this.clusterId = clusterId;
        this.fixedVoters = fixedVoters;
        this.directories = directories;
    }

    @Override
    public ApiMessage apply(ApiMessage request) {
        if (request instanceof AddRaftVoterRequestData add) {
            Outcome o = add(add);
            return new AddRaftVoterResponseData().setErrorCode(o.error.code()).setErrorMessage(o.message);
        }
        RemoveRaftVoterRequestData remove = (RemoveRaftVoterRequestData) request;
        Outcome o = remove(remove);
        return new RemoveRaftVoterResponseData().setErrorCode(o.error.code()).setErrorMessage(o.message);
    }

    private record Outcome(Errors error, String message) {
        static final Outcome DONE = new Outcome(Errors.NONE, null);
    }

    private Outcome add(AddRaftVoterRequestData req) {
        int id = req.voterId();
        Outcome refused = common(req.clusterId(), id, "add");
        if (refused != null) {
            return refused;
        }
        Optional<Uuid> known = directories.apply(id);
        if (known.isPresent() && !known.get().equals(req.voterDirectoryId())) {
            return new Outcome(Errors.INVALID_REQUEST, "node " + id + " has the directory id " + known.get() + ", not "
                    + req.voterDirectoryId() + "; give the add-controller tool that node's own configuration (its data"
                    + " directory's meta.properties)");
        }
        String address = quorum.observers().get(id);
        if (address != null && !req.listeners().isEmpty()
                && req.listeners().stream().noneMatch(l -> sameAddress(l.host(), l.port(), address))) {
            return new Outcome(Errors.INVALID_REQUEST, "node " + id + " follows the metadata quorum at " + address
                    + ", which none of the listeners given names; set its controller listener to that address");
        }
        return run(() -> quorum.addVoter(id), "add voter " + id);
    }

    private Outcome remove(RemoveRaftVoterRequestData req) {
        int id = req.voterId();
        Outcome refused = common(req.clusterId(), id, "remove");
        if (refused != null) {
            return refused;
        }
        Optional<Uuid> known = directories.apply(id);
        if (known.isPresent() && !known.get().equals(req.voterDirectoryId())) {
            return new Outcome(Errors.VOTER_NOT_FOUND, "voter " + id + " has the directory id " + known.get() + ", not "
                    + req.voterDirectoryId() + " (kafka-metadata-quorum describe --replication shows it)");
        }
        return run(() -> quorum.removeVoter(id), "remove voter " + id);
    }

    private Outcome common(String requestClusterId, int id, String verb) {
        if (requestClusterId != null && !requestClusterId.equals(clusterId)) {
            return new Outcome(Errors.INCONSISTENT_CLUSTER_ID, "this cluster's id is " + clusterId + ", not " + requestClusterId);
        }
        if (fixedVoters) {
            return new Outcome(Errors.UNSUPPORTED_VERSION, "the voters are fixed by controller.quorum.voters, as in a static"
                    + " Kafka quorum, and cannot " + verb + " a voter online; leave the setting out to form the quorum"
                    + " through the grid, which can change its voters");
        }
        if (id < 0) {
            return new Outcome(Errors.INVALID_REQUEST, "voter id " + id + " is negative");
        }
        return null;
    }

    private Outcome run(Runnable change, String what) {
        try {
            change.run();
            LOG.info(() -> "TRIB-0057 " + what + ": done; voters now " + quorum.voters().keySet());
            return Outcome.DONE;
        } catch (VoterChangeException e) {
            Errors error = switch (e.kind()) {
                case DUPLICATE_VOTER -> Errors.DUPLICATE_VOTER;
                case VOTER_NOT_FOUND -> Errors.VOTER_NOT_FOUND;
                case CHANGE_IN_PROGRESS -> Errors.REQUEST_TIMED_OUT;
                case NOT_AN_OBSERVER, LAST_VOTER -> Errors.INVALID_REQUEST;
            };
            LOG.info(() -> "TRIB-0057 " + what + ": refused (" + error + "): " + e.getMessage());
            return new Outcome(error, e.getMessage());
        } catch (QuorumException e) {
            LOG.info(() -> "TRIB-0057 " + what + ": failed: " + e.getMessage());
            return new Outcome(e.retriable() ? Errors.REQUEST_TIMED_OUT : Errors.UNKNOWN_SERVER_ERROR, e.getMessage());
        }
    }

    /** Same port, and the same host by name or by address (the tool may say localhost for 127.0.0.1). */
    static boolean sameAddress(String host, int port, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (port != Integer.parseInt(hostPort.substring(colon + 1))) {
            return false;
        }
        String other = hostPort.substring(0, colon);
        if (host.equalsIgnoreCase(other)) {
            return true;
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            InetAddress b = InetAddress.getByName(other);
            return a.equals(b) || a.isLoopbackAddress() && b.isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
