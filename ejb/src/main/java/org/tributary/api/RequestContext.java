package org.tributary.api;

import java.net.InetAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.tributary.metadata.MetadataImage;

/**
 * What a handler knows about one request: its header and the metadata image taken once when the
 * request started (handlers that change metadata get the new image from the store's answer).
 */
public record RequestContext(RequestHeader header, String connectionId, InetAddress clientAddress, MetadataImage image) {

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
