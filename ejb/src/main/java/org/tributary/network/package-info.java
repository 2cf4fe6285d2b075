/**
 * The Kafka listener: NIO acceptor and processor threads that only move size-prefixed frames.
 * A connection reads one request, is muted until it is answered, then reads the next, so answers
 * leave in request order. Oversized or undecodable frames close that connection only. No Kafka
 * API knowledge lives here; frames go to a {@link org.tributary.network.RequestChannel}.
 */
package org.tributary.network;
