package org.tributary.api;

import java.net.InetAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.metadata.MetadataImage;

/**
 * What a handler knows about one request: its header, who sent it (the connection's principal and
 * listener) and the metadata image taken once when the request started (handlers that change
 * metadata get the new image from the store's answer).
 */
public record RequestContext(RequestHeader header, String connectionId, InetAddress clientAddress, KafkaPrincipal principal,
        String listenerName, MetadataImage image) {

    /** A context for an anonymous request on an unnamed listener (tests, in-process callers). */
    public RequestContext(RequestHeader header, String connectionId, InetAddress clientAddress, MetadataImage image) {
        this(header, connectionId, clientAddress, KafkaPrincipal.ANONYMOUS, "", image);
    }

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }
}
