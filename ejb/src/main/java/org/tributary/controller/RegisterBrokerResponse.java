package org.tributary.controller;

import org.tributary.metadata.MetadataImage;

/**
 * The broker id registered (assigned when the request asked for one). The broker epoch is the log
 * offset of the entry holding the registration: once it commits, read it with
 * {@code image.broker(brokerId).epoch()} and reply.
 */
public record RegisterBrokerResponse(ApiError error, int brokerId) {
    /** The broker epoch in an image that applied the registration. */
    public long epochIn(MetadataImage image) {
        return image.broker(brokerId).orElseThrow().epoch();
    }
}
