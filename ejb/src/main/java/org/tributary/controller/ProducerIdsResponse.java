package org.tributary.controller;

/** A block of {@code size} producer ids starting at {@code firstProducerId}, or an error. */
public record ProducerIdsResponse(ApiError error, long firstProducerId, int size) {
}
